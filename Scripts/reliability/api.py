"""A small HTTP client for the service and the sandbox, which records every answer's status."""

import collections
import http.client
import json
import threading
import time
import urllib.error
import urllib.request


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}


class Client:
    """Talks to one of several service instances; a refused connection moves on to the next instance."""

    def __init__(self, urls, key, timeout=15.0):
        self.urls = list(urls)
        self.key = key
        self.timeout = timeout
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.server_errors = []  # (method, path, status, body) of every 5xx other than 503

    def set_urls(self, urls):
        with self.lock:
            self.urls = list(urls)

    def request(self, method, path, body=None, headers=None, url=None):
        """One request; returns an Answer, or None when no instance could be reached."""
        with self.lock:
            candidates = [url] if url else list(self.urls)
        data = json.dumps(body).encode() if body is not None else None
        for base in candidates:
            request = urllib.request.Request(base + path, data=data, method=method)
            request.add_header("Authorization", f"Bearer {self.key}")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            for name, value in (headers or {}).items():
                request.add_header(name, value)
            try:
                try:
                    with urllib.request.urlopen(request, timeout=self.timeout) as response:
                        answer = Answer(response.status, dict(response.headers), response.read())
                except urllib.error.HTTPError as error:
                    answer = Answer(error.code, dict(error.headers), error.read())
            except (OSError, ValueError, http.client.HTTPException):
                # Refused, reset, timed out, or the answer cut off by a kill (`IncompleteRead`): try the next instance.
                continue
            self.record(method, path, answer)
            return answer
        return None

    def record(self, method, path, answer):
        with self.lock:
            self.statuses[answer.status] += 1
            if answer.status >= 500 and answer.status != 503:
                self.server_errors.append((method, path, answer.status, answer.body[:300]))

    def until(self, method, path, ok, body=None, headers=None, deadline=None, pause=0.25):
        """Repeats a request (the same body and headers, so the same Idempotency-Key) until `ok(answer)`."""
        deadline = deadline or time.monotonic() + 240
        while time.monotonic() < deadline:
            answer = self.request(method, path, body, headers)
            if answer is not None and ok(answer):
                return answer
            time.sleep(pause)
        return None


def get_json(url, timeout=15.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())
