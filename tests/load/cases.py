"""Scenarios of the load-conformance harness (issue 12), read by scripted_server.py and
run_conformance.py.

Each case is a dict:
  name       the case name, part of the request path /case/<name>/<token>
  points     which points of issue 12 it covers (1 requests, 2 Last-Event-ID, 3 redirects,
             4 204, 5 network errors, 6 events exactly once; "f" failures of other kinds)
  expected   the behaviour the client must show, in words
  args       extra sse-monitor-cli arguments (the runner adds the URL, --states, --retry
             and a --timeout safety net)
  retry      the CLI's --retry MS (None: not given, the default 3000 ms applies)
  headers    custom request headers given with -H, {name: value}
  body       the request body given with -d (the method comes from -X in args)
  responses  the script: the k-th request of a run gets responses[k]; the number of
             requests the client must make is exactly len(responses)
  events     the exact event list the CLI must print: (type, data, id)
  final      the last state line: "closed", or ("failed", HTTP status or None)
  exit       the CLI's exit code

A response is a dict for the server (see scripted_server.py serve_response):
  status, reason, content_type (None: no Content-Type), headers [(name, value)],
  location (templates: {self} {other} origin URLs, {path} /case/<name>/<token>, {token}),
  body [str | pause in ms], framing "close" | "chunked" | "length", gzip (only when the
  request accepts it), keepalive, idle_close_ms,
  end "fin" | "rst" (after the body, 100 ms later) | "rst_before" (no status line) |
      "none" (request read, closed without a byte) | "hold" (open until the client
      closes) | "fin_unterminated" (chunked/length body closed before its end)
and an "expect" dict about the request that gets it:
  lei        the Last-Event-ID header value; None: the header must be absent (the default)
  origin     "a" (default) or "b" (the other port)
  method     default: the case's method (GET, or -X)
  body_length default: len(body) when the expected method is POST, else 0
  absent     header names that must not be sent; present {name: value} that must be
  delay_ms   the reconnection time in force before this request (default: worked out
             from --retry and the retry: lines of the earlier responses)
  encoding   the Content-Encoding the server must have used ("gzip")

Headers given with -H are expected on every request; on the other origin, names the secret
rule matches (Authorization, Proxy-Authorization, Cookie, and names containing token,
secret, key, password, auth, session or cookie) must be absent, others present.

A reconnection (a request after a response that was not a redirect) must come within
[T - 50 ms, T + max(600 ms, T / 2)] after the server finished the previous response, T the
reconnection time in force.
"""

import json


def ev(data=None, id=None, event=None, retry=None, eol="\n"):
    """One event block, ending with a blank line."""
    lines = []
    if event is not None:
        lines.append("event: " + event)
    if id is not None:
        lines.append(("id: " + id) if id else "id:")
    if retry is not None:
        lines.append("retry: %s" % retry)
    if data is not None:
        lines.extend("data: " + part for part in data.split("\n"))
    return eol.join(lines) + eol + eol


def E(data, id="", type="message"):
    """An expected event: (type, data, last event id at dispatch)."""
    return (type, data, id)


def ok(*body, end="fin", lei=None, **options):
    """A 200 text/event-stream response."""
    response = {"status": 200, "body": list(body), "end": end}
    response.update(options)
    response.setdefault("expect", {})["lei"] = lei
    return response


def hold(*body, lei=None, **options):
    """The last response of a case that ends with --max-events: sends its events and stays
    open until the client goes."""
    return ok(*body, end="hold", lei=lei, **options)


def status(code, lei=None, **options):
    body = options.pop("body", ["no stream here\n"])
    response = {"status": code, "content_type": options.pop("content_type", "text/plain"),
                "body": body, "framing": "length"}
    response.update(options)
    response.setdefault("expect", {})["lei"] = lei
    return response


def redirect(code, location, lei=None, **options):
    response = {"status": code, "location": location, "content_type": "text/html",
                "body": ["<a>moved</a>\n"], "framing": "length"}
    response.update(options)
    response.setdefault("expect", {})["lei"] = lei
    return response


def expect(response, **fields):
    response.setdefault("expect", {}).update(fields)
    return response


def max_events(n):
    return ["--max-events", str(n)]


CLOSED = "closed"
FAILED_204 = ("failed", 204)


def failed(code):
    return ("failed", code)


SECRETS = {
    "Authorization": "Bearer s3cr3t",
    "Proxy-Authorization": "Basic cHJveHk6cHc=",
    "Cookie": "session=abc123",
    "X-API-Key": "k-123",
    "X-Session-Token": "t-456",
    "X-Trace": "1",
}

CASES = [
    # ---- 1, 6: responses that end, events exactly once --------------------------------
    dict(name="fin_then_resume", points="1 2 6",
         expected="A close-delimited response ends with a FIN after two whole events: one "
                  "reconnection after the reconnection time, Last-Event-ID 2, each event "
                  "once.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1"), ev("b", "2")), hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="fin_chunked", points="1 2 6",
         expected="Same as fin_then_resume with a chunked body ended by its last chunk.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1"), 20, ev("b", "2"), framing="chunked"),
                    hold(ev("c", "3"), lei="2", framing="chunked")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="fin_content_length", points="1 2 6",
         expected="Same with a Content-Length body (Connection: close).",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1"), ev("b", "2"), framing="length"),
                    hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="rst_after_events", points="1 2 6",
         expected="The issue's lost event: a (1), b (2), then a TCP reset. The reconnection "
                  "carries Last-Event-ID 2 and gets c, d: the CLI prints a b c d, each once.",
         args=max_events(4), retry=200,
         responses=[ok(ev("a", "1"), ev("b", "2"), end="rst"),
                    hold(ev("c", "3"), ev("d", "4"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3"), E("d", "4")], final=CLOSED, exit=0),
    dict(name="rst_after_events_chunked", points="1 2 6",
         expected="A chunked stream reset after two events: resume from id 2, nothing twice.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1"), ev("b", "2"), framing="chunked", end="rst"),
                    hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="close_mid_event", points="2 6",
         expected="A FIN in the middle of event 2 (its id line sent, no blank line): event 2 "
                  "is not dispatched and its id does not count: Last-Event-ID 1.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), "id: 2\ndata: b"), hold(ev("c", "3"), lei="1")],
         events=[E("a", "1"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="close_mid_chunked_body", points="2 6",
         expected="A chunked body closed before its last chunk, inside an event: the cut "
                  "event is dropped, Last-Event-ID 1, one reconnection.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), "id: 2\ndata: b\n", framing="chunked",
                       end="fin_unterminated"),
                    hold(ev("c", "3"), lei="1")],
         events=[E("a", "1"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="close_mid_length_body", points="2 6",
         expected="A Content-Length body closed early inside an event: as above.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), "id: 2\ndata: b\n", framing="length",
                       end="fin_unterminated", length_extra=20),
                    hold(ev("c", "3"), lei="1")],
         events=[E("a", "1"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="rst_mid_event", points="2 6",
         expected="A reset in the middle of event 2: a once, Last-Event-ID 1, then c.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), "id: 2\ndata: b", end="rst"),
                    hold(ev("c", "3"), lei="1")],
         events=[E("a", "1"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="rst_after_headers", points="1 5",
         expected="Status and headers, no body byte, then a reset: one reconnection after "
                  "the reconnection time, no Last-Event-ID.",
         args=max_events(1), retry=200,
         responses=[ok(end="rst"), hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="many_drops_each_once", points="1 2 6",
         expected="Four responses of two events each, ended by FIN, reset, cut event and FIN "
                  "in turn: every whole event once, in order, each Last-Event-ID the last "
                  "whole id.",
         args=max_events(9), retry=150,
         responses=[ok(ev("1", "1"), ev("2", "2")),
                    ok(ev("3", "3"), ev("4", "4"), end="rst", lei="2"),
                    ok(ev("5", "5"), ev("6", "6"), "id: 7\ndata: 7\n", lei="4"),
                    ok(ev("7", "7"), ev("8", "8"), framing="chunked", lei="6"),
                    hold(ev("9", "9"), lei="8")],
         events=[E(str(n), str(n)) for n in range(1, 10)], final=CLOSED, exit=0),
    dict(name="paced_split_writes", points="6",
         expected="Events written in pieces 30 ms apart, split inside the field name, the "
                  "value and between the two newlines: each event once, whole.",
         args=max_events(4), retry=200,
         responses=[ok("da", 30, "ta: a\nid", 30, ": 1\n", 30, "\n", 30, ev("b", "2"),
                       30, "data: c", 30, "\n", 30, "\n", framing="chunked"),
                    hold(ev("d", "4"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "2"), E("d", "4")], final=CLOSED, exit=0),

    # ---- 5: network errors with no response ----------------------------------------------
    dict(name="rst_before_status", points="1 5",
         expected="The first attempt is reset before any status line: exactly one new "
                  "request, after the reconnection time (not 0-1 ms later).",
         args=max_events(1), retry=200,
         responses=[{"end": "rst_before"}, hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="no_response", points="1 5",
         expected="The server reads the request and closes without a byte: one new request "
                  "after the reconnection time, never an immediate re-send.",
         args=max_events(1), retry=200,
         responses=[{"end": "none"}, hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="reset_every_attempt", points="1 5",
         expected="Four attempts in a row reset before the status line: one request per "
                  "reconnection time (five requests in all), never a burst.",
         args=max_events(1), retry=150,
         responses=[{"end": "rst_before"}] * 4 + [hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="no_response_every_attempt", points="1 5",
         expected="Four attempts in a row closed without a byte: one request per "
                  "reconnection time.",
         args=max_events(1), retry=150,
         responses=[{"end": "none"}] * 4 + [hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="rst_before_status_keeps_lei", points="2 5",
         expected="After a, b (id 2) and a FIN, the reconnection is reset before its status "
                  "line: the next attempt still carries Last-Event-ID 2.",
         args=max_events(3), retry=150,
         responses=[ok(ev("a", "1"), ev("b", "2")),
                    expect({"end": "rst_before"}, lei="2"),
                    hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="keepalive_reuse_no_response", points="1 5",
         expected="A Content-Length response on a kept-alive connection; the server reads "
                  "the reconnection on that connection and closes it without a byte: the "
                  "client waits the reconnection time again, one request per attempt.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), framing="length", keepalive=True),
                    expect({"end": "none"}, lei="1"),
                    hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="keepalive_server_closes_idle", points="1",
         expected="A Content-Length response on a kept-alive connection that the server "
                  "closes 150 ms later while the client waits 200 ms: one request per "
                  "attempt, whether or not the client reuses the connection.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), framing="length", keepalive=True, idle_close_ms=150),
                    hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),

    # ---- 1: the reconnection time ----------------------------------------------------------
    dict(name="retry_field_sets_delay", points="1",
         expected="retry: 400 in the stream (the CLI's --retry is 100): the reconnection "
                  "waits at least 400 ms.",
         args=max_events(2), retry=100,
         responses=[ok("retry: 400\n\n", ev("a", "1")), hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="retry_1500", points="1",
         expected="The issue's early reconnection: retry: 1500, then a FIN: the next request "
                  "comes no earlier than 1450 ms after the end (a coarse timer fires up to "
                  "5 % early).",
         args=max_events(2), retry=100,
         responses=[ok(ev("a", "1", retry=1500)), hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="retry_bogus_ignored", points="1",
         expected="retry: 1000x is not a number and is ignored: the reconnection time stays "
                  "the CLI's 200 ms.",
         args=max_events(2), retry=200,
         responses=[ok("retry: 1000x\n\n", ev("a", "1")),
                    expect(hold(ev("b", "2"), lei="1"), delay_ms=200)],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="retry_in_cut_event", points="1",
         expected="A retry: 350 line inside an event that the FIN cuts: the field applies "
                  "when its line is parsed (the event itself is dropped).",
         args=max_events(2), retry=100,
         responses=[ok(ev("a", "1"), "retry: 350\ndata: cut"),
                    hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="retry_changes_twice", points="1",
         expected="retry: 250, a reconnection, then retry: 120: each reconnection waits the "
                  "time in force when its response ended.",
         args=max_events(3), retry=100,
         responses=[ok("retry: 250\n\n", ev("a", "1")),
                    ok("retry: 120\n\n", ev("b", "2"), end="rst", lei="1"),
                    hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="default_reconnection_time", points="1",
         expected="No --retry and no retry: field: the reconnection waits the default "
                  "3000 ms.",
         args=max_events(2), retry=None,
         responses=[ok(ev("a", "1")), hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),

    # ---- 2: Last-Event-ID ------------------------------------------------------------------
    dict(name="id_only_block_sets_lei", points="2",
         expected="An id-only block (id: 7, blank line) dispatches nothing but sets the last "
                  "event id: the reconnection sends Last-Event-ID 7 and the next event "
                  "carries id 7.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), "id: 7\n\n"), hold(ev("b"), lei="7")],
         events=[E("a", "1"), E("b", "7")], final=CLOSED, exit=0),
    dict(name="empty_id_resets", points="2",
         expected="An event with an empty id: resets the last event id: that event has id "
                  "\"\" and the reconnection sends no Last-Event-ID.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1"), ev("b", "")), hold(ev("c"))],
         events=[E("a", "1"), E("b", ""), E("c", "")], final=CLOSED, exit=0),
    dict(name="empty_id_only_block_resets", points="2",
         expected="A block with only an empty id: resets the last event id: no "
                  "Last-Event-ID on the reconnection.",
         args=max_events(2), retry=200,
         responses=[ok(ev("a", "1"), "id\n\n"), hold(ev("b"))],
         events=[E("a", "1"), E("b", "")], final=CLOSED, exit=0),
    dict(name="id_persists", points="2",
         expected="The last event id persists over events without id: and over the "
                  "reconnection.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "5"), ev("b")), hold(ev("c"), lei="5")],
         events=[E("a", "5"), E("b", "5"), E("c", "5")], final=CLOSED, exit=0),
    dict(name="id_with_nul_ignored", points="2",
         expected="An id: containing NUL is ignored: the last event id stays 3.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "3"), "id: 4\u0000x\ndata: b\n\n"), hold(ev("c"), lei="3")],
         events=[E("a", "3"), E("b", "3"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="initial_last_event_id", points="2",
         expected="--last-event-id 41: the first request sends it; after id 42 and a FIN "
                  "the reconnection sends 42.",
         args=["--last-event-id", "41"] + max_events(2), retry=200,
         responses=[ok(ev("a", "42"), lei="41"), hold(ev("b"), lei="42")],
         events=[E("a", "42"), E("b", "42")], final=CLOSED, exit=0),
    dict(name="no_id_no_header", points="2",
         expected="Events without id: the reconnection sends no Last-Event-ID.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a"), ev("b")), hold(ev("c"))],
         events=[E("a"), E("b"), E("c")], final=CLOSED, exit=0),
    dict(name="lei_over_two_reconnects", points="2 6",
         expected="Reset after id 1, FIN after id 2: Last-Event-ID 1 then 2.",
         args=max_events(3), retry=150,
         responses=[ok(ev("a", "1"), end="rst"), ok(ev("b", "2"), lei="1"),
                    hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),

    # ---- 6: wire formats -------------------------------------------------------------------
    dict(name="crlf_lines", points="6",
         expected="CRLF line ends: the same events and ids as with LF.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1", eol="\r\n"), ev("b", "2", event="t", eol="\r\n")),
                    hold(ev("c", "3", eol="\r\n"), lei="2")],
         events=[E("a", "1"), E("b", "2", "t"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="cr_lines", points="6",
         expected="Lone CR line ends, one CR ending a write: events dispatched at once.",
         args=max_events(3), retry=200,
         responses=[ok(ev("a", "1", eol="\r"), "data: b\r", 30, "\r"),
                    hold(ev("c", "3", eol="\r"), lei="1")],
         events=[E("a", "1"), E("b", "1"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="bom_each_response", points="6",
         expected="Each response starts with a BOM, stripped once per stream.",
         args=max_events(2), retry=200,
         responses=[ok("\ufeff" + ev("a", "1")), hold("\ufeff" + ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="multiline_type_comments", points="6",
         expected="Comments, an event type, multi-line data and a field without a colon.",
         args=max_events(3), retry=200,
         responses=[ok(": hello\n\n", "event: tick\ndata: x\ndata:  y\ndata\n\n",
                       ": keep-alive\n", ev("z", "9")),
                    hold(": again\n", ev("w"), lei="9")],
         events=[E("x\n y\n", "", "tick"), E("z", "9"), E("w", "9")], final=CLOSED, exit=0),
    dict(name="charset_parameter", points="f",
         expected="Content-Type text/event-stream; charset=utf-8 is an event stream.",
         args=max_events(1), retry=200,
         responses=[hold(ev("\u00e9", "1"), content_type="text/event-stream; charset=utf-8")],
         events=[E("\u00e9", "1")], final=CLOSED, exit=0),
    dict(name="gzip_events", points="6",
         expected="A gzip body (the request accepts gzip): the same events; FIN, then the "
                  "reconnection with Last-Event-ID 2.",
         args=max_events(3), retry=200,
         responses=[expect(ok(ev("a", "1"), 20, ev("b", "2"), gzip=True), encoding="gzip"),
                    hold(ev("c", "3"), lei="2", gzip=True)],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
    dict(name="gzip_chunked_rst", points="2 6",
         expected="A gzip chunked stream reset after two events: resume from id 2.",
         args=max_events(3), retry=200,
         responses=[expect(ok(ev("a", "1"), ev("b", "2"), gzip=True, framing="chunked",
                              end="rst"), encoding="gzip"),
                    hold(ev("c", "3"), lei="2", gzip=True, framing="chunked")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),

    # ---- 3: redirects ----------------------------------------------------------------------
    dict(name="redirect_301_relative", points="3",
         expected="301 with a path-relative Location: exactly one request for the target, "
                  "the custom header kept.",
         args=max_events(1), retry=200, headers={"X-Trace": "1"},
         responses=[redirect(301, "./{token}?hop=1"), hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="redirect_302_absolute", points="3",
         expected="302 with an absolute Location on the same origin: one request per hop "
                  "(no second request for the original URL).",
         args=max_events(1), retry=200, headers={"X-Trace": "1"},
         responses=[redirect(302, "{self}{path}?hop=1"), hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="redirect_303_post_to_get", points="3",
         expected="POST answered 303: the target is fetched with GET and no body.",
         args=["-X", "POST"] + max_events(1), retry=200, body='{"q":1}',
         headers={"Content-Type": "application/json"},
         responses=[redirect(303, "{path}?hop=1"),
                    expect(hold(ev("a", "1")), method="GET", body_length=0,
                           absent=["Content-Length", "Content-Type"])],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="redirect_307_post_keeps_body", points="3",
         expected="POST answered 307 on the same origin: POST again with the same body.",
         args=["-X", "POST"] + max_events(1), retry=200, body='{"q":1}',
         headers={"Content-Type": "application/json"},
         responses=[redirect(307, "{path}?hop=1"), hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="redirect_308_absolute_path", points="3",
         expected="308 with an absolute-path Location: one request for the target.",
         args=max_events(1), retry=200, headers={"X-Trace": "1"},
         responses=[redirect(308, "{path}?hop=1"), hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="redirect_chain", points="3",
         expected="301, then 307, then 200: three requests, one per hop.",
         args=max_events(1), retry=200, headers={"X-Trace": "1"},
         responses=[redirect(301, "{path}?hop=1"), redirect(307, "{self}{path}?hop=2"),
                    hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="redirect_on_reconnect_keeps_lei", points="2 3",
         expected="The reconnection (Last-Event-ID 1) is redirected with 302: the hop keeps "
                  "Last-Event-ID 1 and the custom header, and follows at once.",
         args=max_events(2), retry=200, headers={"X-Trace": "1"},
         responses=[ok(ev("a", "1")), redirect(302, "{path}?hop=1", lei="1"),
                    hold(ev("b", "2"), lei="1")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="redirect_to_404_fails", points="3",
         expected="A redirect to a 404: failed with status 404, no further request, exit 1.",
         args=[], retry=200,
         responses=[redirect(302, "{path}?hop=1"), status(404)],
         events=[], final=failed(404), exit=1),
    dict(name="redirect_to_wrong_type_fails", points="3",
         expected="A redirect to a 200 application/json: failed, no further request, exit 1.",
         args=[], retry=200,
         responses=[redirect(307, "{path}?hop=1"),
                    status(200, content_type="application/json", body=['{"a":1}\n'])],
         events=[], final=failed(200), exit=1),
    dict(name="redirect_to_204", points="3 4",
         expected="A redirect to a 204: failed with status 204, no further request, exit 0.",
         args=[], retry=200,
         responses=[redirect(302, "{path}?hop=1"), status(204, body=[])],
         events=[], final=FAILED_204, exit=0),
    dict(name="cross_origin_strips_secrets", points="3",
         expected="302 to the other origin: Authorization, Proxy-Authorization, Cookie, "
                  "X-API-Key and X-Session-Token are not sent there; X-Trace is.",
         args=max_events(1), retry=200, headers=SECRETS,
         responses=[redirect(302, "{other}{path}?hop=1"),
                    expect(hold(ev("a", "1")), origin="b")],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="cross_origin_307_post_body_stays_home", points="3",
         expected="POST answered 307 to the other origin: the redirect is not followed, so "
                  "neither the body nor Authorization leaves its origin (sending the POST "
                  "without its body would be a different request): failed 307, exit 1, one "
                  "request.",
         args=["-X", "POST"] + max_events(1), retry=200, body='{"q":1}',
         headers={"Authorization": "Bearer s3cr3t", "X-Trace": "1"},
         responses=[redirect(307, "{other}{path}?hop=1")],
         events=[], final=failed(307), exit=1),
    dict(name="same_origin_redirect_keeps_secrets", points="3",
         expected="307 on the same origin: every header, secrets included, is kept.",
         args=max_events(1), retry=200, headers=SECRETS,
         responses=[redirect(307, "{self}{path}?hop=1"), hold(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="cross_origin_reconnect_lei", points="2 3",
         expected="A reconnection redirected to the other origin keeps Last-Event-ID and "
                  "the non-secret header, drops the secret one.",
         args=max_events(2), retry=200,
         headers={"X-API-Key": "k-123", "X-Trace": "1"},
         responses=[ok(ev("a", "1")), redirect(301, "{other}{path}?hop=1", lei="1"),
                    expect(hold(ev("b", "2"), lei="1"), origin="b")],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),

    # ---- 4 and other failures ----------------------------------------------------------------
    dict(name="status_204_first", points="4",
         expected="204 on the first request: failed with status 204, no further request, "
                  "exit 0.",
         args=[], retry=200, responses=[status(204, body=[])],
         events=[], final=FAILED_204, exit=0),
    dict(name="status_204_on_reconnect", points="4",
         expected="204 on the reconnection (Last-Event-ID 1): failed 204, no further "
                  "request, exit 0, the event before kept.",
         args=[], retry=200,
         responses=[ok(ev("a", "1")), status(204, lei="1", body=[])],
         events=[E("a", "1")], final=FAILED_204, exit=0),
    dict(name="status_500_first", points="f",
         expected="500: failed with status 500, no further request, exit 1.",
         args=[], retry=200, responses=[status(500)],
         events=[], final=failed(500), exit=1),
    dict(name="status_503_on_reconnect", points="f",
         expected="503 on the reconnection after a reset: failed 503, exit 1.",
         args=[], retry=200,
         responses=[ok(ev("a", "1"), end="rst"), status(503, lei="1")],
         events=[E("a", "1")], final=failed(503), exit=1),
    dict(name="status_404_on_reconnect", points="f",
         expected="404 on the reconnection: failed 404, exit 1.",
         args=[], retry=200,
         responses=[ok(ev("a", "1")), status(404, lei="1")],
         events=[E("a", "1")], final=failed(404), exit=1),
    dict(name="status_401_first", points="f",
         expected="401: failed 401, exit 1, no retry.",
         args=[], retry=200, headers={"Authorization": "Bearer wrong"},
         responses=[status(401)], events=[], final=failed(401), exit=1),
    dict(name="wrong_content_type", points="f",
         expected="200 application/json: failed, no further request, exit 1.",
         args=[], retry=200,
         responses=[status(200, content_type="application/json", body=['{"a":1}\n'])],
         events=[], final=failed(200), exit=1),
    dict(name="missing_content_type", points="f",
         expected="200 without Content-Type: failed, no further request, exit 1.",
         args=[], retry=200,
         responses=[status(200, content_type=None, body=[ev("a", "1")])],
         events=[], final=failed(200), exit=1),
    dict(name="wrong_type_on_reconnect", points="f",
         expected="The reconnection gets 200 text/html: failed, exit 1, nothing more.",
         args=[], retry=200,
         responses=[ok(ev("a", "1")),
                    status(200, lei="1", content_type="text/html", body=["<p>hi</p>\n"])],
         events=[E("a", "1")], final=failed(200), exit=1),

    # ---- 1: POST and --no-reconnect ------------------------------------------------------------
    dict(name="post_not_resent_after_fin", points="1",
         expected="A POST stream that ends is not sent again: closed, exit 0, one request "
                  "with its body.",
         args=["-X", "POST"], retry=150, body='{"model":"m"}',
         headers={"Content-Type": "application/json"},
         responses=[ok(ev("a", "1"), ev("b", "2"))],
         events=[E("a", "1"), E("b", "2")], final=CLOSED, exit=0),
    dict(name="post_not_resent_after_rst", points="1 5",
         expected="A POST stream reset after its events is not sent again: closed, exit 0.",
         args=["-X", "POST"], retry=150, body='{"model":"m"}',
         headers={"Content-Type": "application/json"},
         responses=[ok(ev("a", "1"), end="rst")],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="post_no_response", points="1 5",
         expected="A POST that gets no response at all (closed without a byte) is not sent "
                  "again: closed, exit 0, exactly one request.",
         args=["-X", "POST"], retry=150, body='{"model":"m"}',
         headers={"Content-Type": "application/json"},
         responses=[{"end": "none"}],
         events=[], final=CLOSED, exit=0),
    dict(name="no_reconnect_option", points="1",
         expected="--no-reconnect: after the FIN the client closes, one request, exit 0.",
         args=["--no-reconnect"], retry=150,
         responses=[ok(ev("a", "1"))],
         events=[E("a", "1")], final=CLOSED, exit=0),
    dict(name="custom_headers_every_request", points="1 2",
         expected="Custom headers on the first request and on both reconnections.",
         args=max_events(3), retry=150,
         headers={"X-Trace": "1", "Authorization": "Bearer s3cr3t"},
         responses=[ok(ev("a", "1")), ok(ev("b", "2"), end="rst", lei="1"),
                    hold(ev("c", "3"), lei="2")],
         events=[E("a", "1"), E("b", "2"), E("c", "3")], final=CLOSED, exit=0),
]


def by_name():
    return {case["name"]: case for case in CASES}


def dump(name):
    """One case as JSON, for clients other than the runner (tests/app/views/tst_guiconformance):
    the case dict as is, with the headers as a list of [name, value] pairs so that their
    order survives."""
    case = dict(by_name()[name])
    case["headers"] = [[key, value] for key, value in case.get("headers", {}).items()]
    return json.dumps(case)


if __name__ == "__main__":
    import sys
    # `python3 cases.py --dump NAME` prints one case as JSON.
    if len(sys.argv) == 3 and sys.argv[1] == "--dump":
        if sys.argv[2] not in by_name():
            sys.exit("unknown case: %s" % sys.argv[2])
        print(dump(sys.argv[2]))
        sys.exit(0)
    # `python3 cases.py` lists the scenarios.
    for case in CASES:
        print("%-34s %-6s %s" % (case["name"], case["points"], case["expected"]))
    print(json.dumps({"cases": len(CASES)}))
