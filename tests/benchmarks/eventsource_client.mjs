// T8 reference client for bench_suite: the npm `eventsource` package printing one JSON
// line per event ({"type","data","lastEventId"}) to stdout, the way a small node consumer
// of a stream would. Exits after N events.
//
//   node eventsource_client.mjs URL N [TYPE...]
//
// TYPE: the event types to listen for (default: message). The package directory (the
// one holding its package.json) is taken from SSE_BENCH_EVENTSOURCE; without it the
// script imports "eventsource" the ordinary way.
//
// Lines are gathered and written once per turn of the event loop (one network chunk
// dispatches many events synchronously), so node pays one write per chunk rather than
// one per event: the comparison is with a buffered consumer, not a naive one.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

async function loadEventSource() {
    const dir = process.env.SSE_BENCH_EVENTSOURCE;
    if (!dir)
        return (await import('eventsource')).EventSource;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const exported = manifest.exports?.['.'];
    const entry = (typeof exported === 'string' ? exported : exported?.default)
        ?? manifest.main ?? 'index.js';
    return (await import(pathToFileURL(join(dir, entry)).href)).EventSource;
}

const [url, countText, ...types] = process.argv.slice(2);
const wanted = Number(countText);
if (!url || !Number.isInteger(wanted) || wanted < 1) {
    process.stderr.write('usage: node eventsource_client.mjs URL N [TYPE...]\n');
    process.exit(2);
}

const EventSource = await loadEventSource();
const source = new EventSource(url);
let seen = 0;
let pending = '';
let flushQueued = false;
let finished = false;

function flush(then) {
    flushQueued = false;
    const text = pending;
    pending = '';
    if (text.length === 0) {
        if (then)
            then();
        return;
    }
    process.stdout.write(text, then);
}

function onEvent(event) {
    if (finished)
        return;
    pending += JSON.stringify({ type: event.type, data: event.data,
                                lastEventId: event.lastEventId }) + '\n';
    if (++seen >= wanted) {
        finished = true;
        source.close();
        flush(() => process.exit(0));
        return;
    }
    if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush);
    }
}

for (const type of types.length ? types : ['message'])
    source.addEventListener(type, onEvent);
source.addEventListener('error', (error) => {
    if (finished)
        return;
    process.stderr.write(`eventsource error after ${seen} events: ${error.message ?? error}\n`);
    flush(() => process.exit(1));
});
