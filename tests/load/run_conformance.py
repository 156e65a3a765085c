#!/usr/bin/env python3
"""Load-conformance runner (issue 12): many sse-monitor-cli processes at once against the
scripted server, with a CPU hog, and an exact check of what each run did.

    run_conformance.py --cli PATH [--rounds R] [--clients 16] [--case NAME] [--no-hog]
                       [--keep] [--out DIR]

Starts tests/load/scripted_server.py (its own process), two busy-loop processes (the CPU
hog) unless --no-hog, then runs every case of tests/load/cases.py R times, keeping
--clients CLI processes running at once (each run has its own token in the URL, so the
server keeps a request counter per run). When all runs are over it reads the server's
request log and checks, per run:

  - the exit code and the last state line (state, and the HTTP status where given);
  - the exact event list (type, data, id);
  - the exact number of requests (the length of the script), none unscheduled;
  - per request: Last-Event-ID (absent where none is due), method, body length, origin,
    the custom headers (secret ones absent on the other origin), the Content-Encoding;
  - per reconnection: the delay from the end of the previous response to the request,
    within [T - 50 ms, T + max(600 ms, T / 2)], T the reconnection time in force.

Prints one summary line, `rounds R × cases C = N runs, failures F`, then each failure with
the run's request log, and exits 1 if any run failed (2 on a harness error).
"""

import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases as case_module  # noqa: E402

EARLY_TOLERANCE_MS = 50
LATE_TOLERANCE_MS = 600
SECRET_NAMES = {"authorization", "proxy-authorization", "cookie"}
SECRET_PARTS = ("token", "secret", "key", "password", "auth", "session", "cookie")


def is_secret(name):
    lowered = name.lower()
    return lowered in SECRET_NAMES or any(part in lowered for part in SECRET_PARTS)


def sse_lines(text):
    """Complete lines of an event-stream body (CR, LF or CRLF), without the end of line; a
    last line without its end is left out."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1]


def retry_values(response):
    """The retry: values a client parses from a response body, in order."""
    if response.get("status", 200) != 200 or response.get("end") in ("none", "rst_before"):
        return []
    text = "".join(item for item in response.get("body", []) if isinstance(item, str))
    text = text.lstrip("\ufeff")
    values = []
    for line in sse_lines(text):
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "retry" and value and re.fullmatch(r"[0-9]+", value):
            values.append(int(value))
    return values


def case_method(case):
    args = case.get("args", [])
    if "-X" in args:
        return args[args.index("-X") + 1].upper()
    return "GET"


def cli_command(cli, case, url):
    command = [cli, url, "--states"]
    if case.get("retry") is not None:
        command += ["--retry", str(case["retry"])]
    for name, value in case.get("headers", {}).items():
        command += ["-H", "%s: %s" % (name, value)]
    if case.get("body") is not None:
        command += ["-d", case["body"]]
    command += case.get("args", [])
    command += ["--timeout", str(case.get("timeout", 20))]
    return command


def run_client(cli, case, port, token):
    url = "http://127.0.0.1:%d/case/%s/%s" % (port, case["name"], token)
    command = cli_command(cli, case, url)
    started = time.monotonic()
    try:
        completed = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=case.get("timeout", 20) + 15)
        code, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
    except subprocess.TimeoutExpired as expired:
        code, stdout, stderr = "killed (hung)", expired.stdout or b"", expired.stderr or b""
    return {"case": case["name"], "token": token, "command": command, "exit": code,
            "stdout": stdout.decode("utf-8", "replace"),
            "stderr": stderr.decode("utf-8", "replace"),
            "seconds": time.monotonic() - started}


def read_log(path):
    requests = collections.defaultdict(list)
    ends = collections.defaultdict(dict)
    with open(path, encoding="utf-8") as log:
        for line in log:
            record = json.loads(line)
            if record["kind"] == "request":
                requests[record["token"]].append(record)
            elif record["kind"] == "end":
                ends[record["token"]][record["k"]] = record
    for token in requests:
        requests[token].sort(key=lambda record: record["k"])
    return requests, ends


def header_values(request, name):
    return [value for header, value in request["headers"] if header.lower() == name.lower()]


def check_run(case, run, requests, ends):
    """Returns the list of what went wrong in one run (empty: it conforms)."""
    problems = []
    records = []
    for line in run["stdout"].splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            problems.append("stdout line is not JSON: %r" % line[:200])
    events = [(r.get("type"), r.get("data"), r.get("id")) for r in records
              if r.get("kind") == "event"]
    states = [r for r in records if r.get("kind") == "state"]

    if run["exit"] != case["exit"]:
        problems.append("exit code %s, expected %s" % (run["exit"], case["exit"]))
    final = case["final"]
    want_state, want_status = (final, None) if isinstance(final, str) else final
    last = states[-1] if states else {}
    if last.get("state") != want_state or (want_status is not None
                                          and last.get("status") != want_status):
        problems.append("final state %s (status %s, error %r), expected %s%s" % (
            last.get("state"), last.get("status"), last.get("error", ""), want_state,
            "" if want_status is None else " (status %d)" % want_status))
    expected_events = [tuple(event) for event in case["events"]]
    if events != expected_events:
        problems.append("events %s, expected %s" % (events, expected_events))

    script = case["responses"]
    seen = requests.get(run["token"], [])
    run_ends = ends.get(run["token"], {})
    unscheduled = [r for r in seen if r["unscheduled"]]
    if len(seen) != len(script) or unscheduled:
        problems.append("%d requests, expected %d%s" % (
            len(seen), len(script),
            " (%d unscheduled)" % len(unscheduled) if unscheduled else ""))

    method = case_method(case)
    body_length = len(case["body"].encode("utf-8")) if case.get("body") else 0
    reconnection_ms = case["retry"] if case.get("retry") is not None else 3000
    previous_redirect = False
    for k, response in enumerate(script):
        expect = response.get("expect", {})
        if k >= len(seen):
            break
        request = seen[k]
        label = "request %d" % k
        # Last-Event-ID
        lei = header_values(request, "Last-Event-ID")
        want = expect.get("lei")
        got = lei[0] if len(lei) == 1 else (None if not lei else lei)
        if got != want:
            problems.append("%s: Last-Event-ID %r, expected %r" % (
                label, got, want if want is not None else "(absent)"))
        origin = expect.get("origin", "a")
        if request["origin"] != origin:
            problems.append("%s: came to origin %s, expected %s" % (label, request["origin"],
                                                                    origin))
        want_method = expect.get("method", method)
        if want_method is not None and request["method"] != want_method:
            problems.append("%s: method %s, expected %s" % (label, request["method"],
                                                            want_method))
        want_length = expect.get("body_length", body_length if want_method == "POST" else 0)
        if want_length is not None and request["body_length"] != want_length:
            problems.append("%s: body of %d bytes, expected %d" % (
                label, request["body_length"], want_length))
        absent = {name.lower() for name in expect.get("absent", [])}
        ignore = {name.lower() for name in expect.get("ignore", [])}
        for name, value in case.get("headers", {}).items():
            lowered = name.lower()
            if lowered in ignore:
                continue
            if lowered in absent or (origin != "a" and is_secret(name)):
                absent.add(lowered)
                continue
            values = header_values(request, name)
            if values != [value]:
                problems.append("%s: header %s %r, expected %r" % (label, name, values,
                                                                   [value]))
        for name in absent:
            if header_values(request, name):
                problems.append("%s: header %s sent (%r), must be absent" % (
                    label, name, header_values(request, name)))
        for name, value in expect.get("present", {}).items():
            if header_values(request, name) != [value]:
                problems.append("%s: header %s %r, expected %r" % (
                    label, name, header_values(request, name), value))
        if "encoding" in expect:
            end = run_ends.get(k, {})
            if end.get("encoding") != expect["encoding"]:
                problems.append("%s: body sent with encoding %s, expected %s (request's "
                                "Accept-Encoding %r)" % (
                                    label, end.get("encoding"), expect["encoding"],
                                    header_values(request, "Accept-Encoding")))
        # Reconnection delay: from the end of the previous response, unless it redirected.
        if k > 0 and not previous_redirect:
            end = run_ends.get(k - 1)
            want_delay = expect.get("delay_ms", reconnection_ms)
            if end is None:
                problems.append("%s: no end recorded for response %d" % (label, k - 1))
            else:
                delay = request["arrival_ms"] - end["end_ms"]
                low = want_delay - EARLY_TOLERANCE_MS
                high = want_delay + max(LATE_TOLERANCE_MS, want_delay / 2)
                if not low <= delay <= high:
                    problems.append("%s: came %.0f ms after response %d ended (%s), "
                                    "expected %d..%.0f ms (reconnection time %d)" % (
                                        label, delay, k - 1, end["how"], low, high,
                                        want_delay))
        for value in retry_values(response):
            reconnection_ms = value
        previous_redirect = 300 <= response.get("status", 200) < 400 \
            and "location" in response
    return problems


def describe_requests(run, requests, ends):
    lines = []
    seen = requests.get(run["token"], [])
    run_ends = ends.get(run["token"], {})
    base = seen[0]["arrival_ms"] if seen else 0
    previous_end = None
    for request in seen:
        end = run_ends.get(request["k"], {})
        lei = header_values(request, "Last-Event-ID")
        after = ("" if previous_end is None
                 else ", %.0f ms after the previous end" % (request["arrival_ms"] - previous_end))
        lines.append("      k=%d %s%s %s %s conn %s, Last-Event-ID %s, at +%.0f ms%s; response "
                     "ended %s at +%s ms" % (
                         request["k"], request["origin"],
                         " UNSCHEDULED" if request["unscheduled"] else "",
                         request["method"], request["path"], request["connection"],
                         lei[0] if lei else "-", request["arrival_ms"] - base, after,
                         end.get("how", "?"),
                         "%.0f" % (end["end_ms"] - base) if "end_ms" in end else "?"))
        previous_end = end.get("end_ms")
    return lines


# A busy loop that ends by itself when the runner is gone (killed by a CTest timeout, say).
HOG = """
import os
parent = os.getppid()
while os.getppid() == parent:
    for _ in range(200000):
        pass
"""


def start_hog(count):
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", required=True, help="the sse-monitor-cli executable")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16, help="CLI processes at once")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    parser.add_argument("--no-hog", action="store_true", help="no CPU hog")
    parser.add_argument("--hog", type=int, default=2, help="busy-loop processes (2)")
    parser.add_argument("--out", help="directory for the request log and failed runs' output")
    parser.add_argument("--keep", action="store_true", help="keep the output directory")
    args = parser.parse_args()

    cases = case_module.CASES
    if args.case:
        names = set(args.case)
        unknown = names - {case["name"] for case in cases}
        if unknown:
            print("unknown case(s): %s" % ", ".join(sorted(unknown)), file=sys.stderr)
            return 2
        cases = [case for case in cases if case["name"] in names]
    if not os.access(args.cli, os.X_OK):
        print("not an executable: %s" % args.cli, file=sys.stderr)
        return 2

    out = args.out or tempfile.mkdtemp(prefix="sse-load-")
    os.makedirs(out, exist_ok=True)
    log_path = os.path.join(out, "requests.jsonl")
    if os.path.exists(log_path):
        os.remove(log_path)
    server = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "scripted_server.py"),
         "--cases", os.path.join(HERE, "cases.py"), "--log", log_path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    first = server.stdout.readline().split()
    if len(first) != 3 or first[0] != "ports":
        print("the scripted server did not start: %r" % first, file=sys.stderr)
        server.kill()
        return 2
    port_a = int(first[1])

    hogs = [] if args.no_hog else start_hog(args.hog)
    runs = []
    started = time.monotonic()
    session = "%x" % (int(time.time() * 1000) & 0xffffffff)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.clients) as pool:
            futures = []
            for round_index in range(args.rounds):
                for index, case in enumerate(cases):
                    token = "%s-r%d-c%d" % (session, round_index, index)
                    future = pool.submit(run_client, args.cli, case, port_a, token)
                    futures.append((round_index, case, future))
            for round_index, case, future in futures:
                run = future.result()
                run["round"] = round_index
                runs.append((case, run))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
        # The server ends when its stdin closes; give it a moment to write its last lines.
        server.stdin.close()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
    elapsed = time.monotonic() - started

    requests, ends = read_log(log_path)
    failures = []
    per_case = collections.Counter()
    for case, run in runs:
        problems = check_run(case, run, requests, ends)
        if problems:
            failures.append((case, run, problems))
            per_case[case["name"]] += 1

    print("rounds %d × cases %d = %d runs, failures %d (%d clients at once, %s, %.0f s)"
          % (args.rounds, len(cases), len(runs), len(failures), args.clients,
             "no CPU hog" if args.no_hog else "CPU hog of %d processes" % args.hog, elapsed))
    for case, run, problems in failures:
        print("\nFAIL %s (round %d, token %s, %.1f s)" % (case["name"], run["round"],
                                                          run["token"], run["seconds"]))
        print("    expected: %s" % case["expected"])
        for problem in problems:
            print("    - %s" % problem)
        print("    server log:")
        for line in describe_requests(run, requests, ends):
            print(line)
        states = [line for line in run["stdout"].splitlines() if '"kind":"state"' in line]
        print("    state lines: %s" % "; ".join(
            "%s%s" % (json.loads(s).get("state"),
                      "(%s)" % json.loads(s)["status"] if "status" in json.loads(s) else "")
            for s in states))
        if run["stderr"].strip():
            print("    stderr: %s" % run["stderr"].strip().replace("\n", " | ")[:400])
    if per_case:
        print("\nfailed runs per case:")
        for name, count in sorted(per_case.items()):
            print("    %-36s %d of %d" % (name, count, args.rounds))
    if failures or args.keep:
        print("\nrequest log: %s" % log_path)
    else:
        shutil.rmtree(out, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
