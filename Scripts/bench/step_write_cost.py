"""Measures what one saga step's writes cost in sequence: two commands, or one cross-collection `bulkWrite`.

    .local/venv/bin/python Scripts/bench/step_write_cost.py --uri "$MONGODB_URI" --pid <database server pid>

A lone saga's step writes a business document and then appends to its history, each durable before the next
(majority, journaled). This sends that pair one step after another, `--steps` times per round: as two commands (a
conditional stock update on one of 16 products, then a conditional append to a saga document shaped like the
service's, with its four secondary indexes), or as one ordered `bulkWrite` (MongoDB 8.0's command across collections,
which this server implements too), and reads the wall time and the server's CPU time (user + system, from
/proc/<pid>/stat, so the server must run on this machine) per pair. Rounds alternate the two ways. Everything goes
into the database `step_write_cost`, dropped at the start and at the end.
"""

import time

import pymongo
from pymongo import UpdateOne
from pymongo.write_concern import WriteConcern

from statement_cost import EVENT, SAGA_INDEXES, cpu_seconds, server_arguments

DATABASE = "step_write_cost"
DURABLE = WriteConcern(w="majority", j=True)


def step_writes(step: int) -> list[tuple[str, dict, dict]]:
    """The step's two writes in order, each as (collection, filter, update): the stock update, then the append."""
    return [
        ("products", {"_id": f"p{step % 16}", "stock": {"$gte": 1}}, {"$inc": {"stock": -1}}),
        ("sagas", {"_id": f"s{step}", "v": 0}, {"$set": {"v": 1}, "$push": {"events": EVENT}}),
    ]


def main() -> None:
    parser = server_arguments(__doc__)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    client = pymongo.MongoClient(args.uri)
    client.drop_database(DATABASE)
    database = client.get_database(DATABASE, write_concern=DURABLE)

    def seed() -> None:
        database.products.drop()
        database.sagas.drop()
        for keys, sparse in SAGA_INDEXES:
            database.sagas.create_index(keys, sparse=sparse)
        database.products.insert_many([{"_id": f"p{i}", "stock": 10**9} for i in range(16)])
        database.sagas.insert_many(
            [{"_id": f"s{i}", "v": 0, "status": "RUNNING", "listKey": f"k{i}", "events": []} for i in range(args.steps)]
        )

    def two_commands(step: int) -> int:
        return sum(
            database[collection].update_one(filter, update).modified_count
            for collection, filter, update in step_writes(step)
        )

    def one_bulk_write(step: int) -> int:
        writes = [
            UpdateOne(filter, update, namespace=f"{DATABASE}.{collection}")
            for collection, filter, update in step_writes(step)
        ]
        return client.bulk_write(writes, ordered=True, write_concern=DURABLE).modified_count

    print("| round | way | wall time per step | server CPU per step | documents modified |")
    print("| --- | --- | --- | --- | --- |")
    for round_number in range(1, args.rounds + 1):
        for name, write_step in (("two commands", two_commands), ("one bulkWrite", one_bulk_write)):
            seed()
            cpu_before, wall_before = cpu_seconds(args.pid), time.perf_counter()
            modified = sum(write_step(step) for step in range(args.steps))
            wall, cpu = time.perf_counter() - wall_before, cpu_seconds(args.pid) - cpu_before
            print(
                f"| {round_number} | {name} | {1000 * wall / args.steps:.2f} ms | {1000 * cpu / args.steps:.2f} ms "
                f"| {modified}/{2 * args.steps} |"
            )
    client.drop_database(DATABASE)


if __name__ == "__main__":
    main()
