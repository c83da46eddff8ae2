"""Measures the database server's CPU time per update statement, on collections shaped like the service's.

    .local/venv/bin/python Scripts/bench/statement_cost.py --uri "$MONGODB_URI" --pid <database server pid>

Each case seeds 400 documents in a fresh collection, then sends conditional updates (`{_id, v}` → `$set` +
`$push` of a 200-byte event) as unordered bulk writes of 4, majority and journaled, and reads the server's CPU time
(user + system, from /proc/<pid>/stat) before and after. The server must run on this machine. Cases: with or
without the sagas collection's four secondary indexes, with small documents or 15-event ones (a saga's size), and,
on the indexed 15-event collection, the same update filtered by `_id` alone, with the history append's filter (`_id`
and four conditions: bare, or as `Condition` spells them, each also asking for its field to be present), with its
condition inside a pipeline update, or with each bulk write inside a transaction (one commit for the batch instead of
one per statement). Every case's documents carry the append's condition fields (`leaseOwner`, `inboxCount`) since
2026-12-01, so its figures and earlier tables are not strictly comparable.
Everything goes into the database `statement_cost`, dropped at the start and at the end.
"""

import argparse
import os

import pymongo
from pymongo import UpdateOne
from pymongo.write_concern import WriteConcern

SAGA_INDEXES = [  # (keys, sparse), as the history store's prepare() creates them
    ([("status", 1), ("listKey", -1)], False),
    ([("listKey", -1)], False),
    ([("definition", 1), ("version", 1), ("dueAt", 1)], False),
    ([("lastSignalAt", -1)], True),
]
EVENT = {"seq": 99, "data": "y" * 200}
DURABLE = WriteConcern(w="majority", j=True)


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def conditional(i: int) -> UpdateOne:
    return UpdateOne({"_id": f"d{i}", "v": 0}, {"$set": {"v": 1}, "$push": {"events": EVENT}})


def append_conditions(i: int) -> UpdateOne:
    """The history append's filter: the `_id` and four conditions on the saga's state."""
    return UpdateOne(
        {"_id": f"d{i}", "v": 0, "leaseOwner": "me", "inboxCount": 0, "status": {"$eq": "RUNNING"}},
        {"$set": {"v": 1}, "$push": {"events": EVENT}},
    )


def equal_and_present(value) -> dict:
    """A condition as `Condition.equals` spells it: `$exists: true` beside the `$eq`."""
    return {"$eq": value, "$exists": True}


def append_conditions_present(i: int) -> UpdateOne:
    """The history append's conditions as the service sends them."""
    return UpdateOne(
        {
            "_id": f"d{i}",
            "v": equal_and_present(0),
            "leaseOwner": equal_and_present("me"),
            "inboxCount": equal_and_present(0),
            "status": equal_and_present("RUNNING"),
        },
        {"$set": {"v": 1}, "$push": {"events": EVENT}},
    )


def by_id_alone(i: int) -> UpdateOne:
    return UpdateOne({"_id": f"d{i}"}, {"$set": {"v": 1}, "$push": {"events": EVENT}})


def condition_in_pipeline(i: int) -> UpdateOne:
    applies = {"$eq": ["$v", 0]}
    return UpdateOne(
        {"_id": f"d{i}"},
        [
            {
                "$set": {
                    "events": {"$cond": [applies, {"$concatArrays": ["$events", [EVENT]]}, "$events"]},
                    "v": {"$cond": [applies, 1, "$v"]},
                }
            }
        ],
    )


def server_arguments(description: str) -> argparse.ArgumentParser:
    """A parser with the options every script here takes: the database's URI and its server's pid."""
    parser = argparse.ArgumentParser(description=description.split("\n")[0])
    parser.add_argument("--uri", default=os.environ.get("MONGODB_URI"), required="MONGODB_URI" not in os.environ)
    parser.add_argument("--pid", type=int, required=True, help="the database server's pid")
    return parser


def main() -> None:
    parser = server_arguments(__doc__)
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()
    client = pymongo.MongoClient(args.uri)
    client.drop_database("statement_cost")
    database = client["statement_cost"]

    def case(name: str, indexed: bool, events: int, update, transaction: bool = False) -> None:
        collection = database.get_collection(name, write_concern=DURABLE)
        for keys, sparse in SAGA_INDEXES if indexed else []:
            collection.create_index(keys, sparse=sparse)
        collection.insert_many(
            [
                {
                    "_id": f"d{i}",
                    "v": 0,
                    "status": "RUNNING",
                    "leaseOwner": "me",
                    "inboxCount": 0,
                    "listKey": f"k{i}",
                    "events": [{"seq": j, "data": "x" * 200} for j in range(events)],
                }
                for i in range(args.documents)
            ]
        )
        before = cpu_seconds(args.pid)
        modified = 0
        for start in range(0, args.documents, args.batch):
            batch = [update(i) for i in range(start, min(start + args.batch, args.documents))]
            if transaction:
                with client.start_session() as session, session.start_transaction(write_concern=DURABLE):
                    modified += collection.bulk_write(batch, ordered=False, session=session).modified_count
            else:
                modified += collection.bulk_write(batch, ordered=False).modified_count
        used = cpu_seconds(args.pid) - before
        print(f"| {name} | {1000 * used / args.documents:.2f} ms | {modified}/{args.documents} modified |")

    print("| case | server CPU per statement | outcome |")
    print("| --- | --- | --- |")
    case("bare, small documents", False, 0, conditional)
    case("bare, 15 events", False, 15, conditional)
    case("4 indexes, small documents", True, 0, conditional)
    case("4 indexes, 15 events", True, 15, conditional)
    case("4 indexes, 15 events, _id alone", True, 15, by_id_alone)
    case("4 indexes, 15 events, the append's filter, bare", True, 15, append_conditions)
    case("4 indexes, 15 events, the append's filter, as Condition spells it", True, 15, append_conditions_present)
    case("4 indexes, 15 events, condition in a pipeline", True, 15, condition_in_pipeline)
    case("4 indexes, 15 events, in a transaction", True, 15, conditional, transaction=True)
    client.drop_database("statement_cost")


if __name__ == "__main__":
    main()
