/**
 * What this proves: runs that once broke exactly-once stay fixed. Each token
 * was found by `npm run soak` (1,000 swarm seeds of wordcount) and replays
 * the run exactly: seed, sizes and the explicit fault plan.
 *
 * How: replay each token; every check must pass. What each one caught:
 * 1. a source restored from a checkpoint taken while it was idle did not
 *    announce itself active again, so downstream valves ignored all its
 *    watermarks and windows never fired (lost output);
 * 2. a cancelled task's produce, retried by a client the task manager
 *    shared, reopened a transaction after the next attempt had aborted the
 *    leftovers (a transaction left open, read-committed output stuck);
 * 3. a task captured its watermark when its sink finished flushing, not at
 *    the barrier, so a restore started past an unfired window;
 * 4. (sessions) the broker restarted while its topics file read back corrupt
 *    and counted partitions from segment files, forgetting a partition that
 *    had no record yet.
 */
import { describe, expect, it } from 'vitest';
import { decodeToken } from '../../src/explore/settings.ts';
import { runScenario } from '../../src/explore/run.ts';

const TOKENS = [
  'w1.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjQxOSwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJzbG93LWZzeW5jIiwiYXRNcyI6NDUxMiwicHJvY2VzcyI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MjczOSwiZXh0cmFNcyI6NzF9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6NTIyMSwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjozNDI3fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjk0MDksInByb2Nlc3MiOiJqbSIsInJlc3RhcnRBZnRlck1zIjozMTM1fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjE0MzAxLCJwcm9jZXNzIjoidG0tMCIsInJlc3RhcnRBZnRlck1zIjoxNzc1fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjE0MzE3LCJwcm9jZXNzIjoiam0iLCJyZXN0YXJ0QWZ0ZXJNcyI6MjkwOX0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoxODg3OCwicHJvY2VzcyI6InN0b3JlIiwicmVzdGFydEFmdGVyTXMiOjI0NDF9XX19',
  'w1.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjQ1NCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoyOTAxLCJhIjoiam0iLCJiIjoidG0tMCIsImR1cmF0aW9uTXMiOjI3MzV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6OTY0MCwicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjoyNzYzfSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxMDI3NSwiYSI6InRtLTAiLCJiIjoiam0iLCJkdXJhdGlvbk1zIjo1MTB9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjEzMzYxLCJhIjoidG0tMSIsImIiOiJzdG9yZSIsImR1cmF0aW9uTXMiOjI2MDF9LHsia2luZCI6InBhcnRpdGlvbiIsImF0TXMiOjE0MDU2LCJhIjoiam0iLCJiIjoicHJvZHVjZXIiLCJkdXJhdGlvbk1zIjozOTc5fSx7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjoxODc5NSwiYSI6ImptIiwiYiI6InByb2R1Y2VyIiwiZHVyYXRpb25NcyI6MjY5Mn1dfX0',
  'w1.eyJzY2VuYXJpbyI6IndvcmRjb3VudCIsInNlZWQiOjcwOCwiZ3VhcmFudGVlIjoiZXhhY3RseS1vbmNlIiwiZmF1bHRzIjoic3dhcm0iLCJidWdzIjpbXSwicGxhbiI6eyJmYXVsdHMiOlt7ImtpbmQiOiJwYXJ0aXRpb24iLCJhdE1zIjo1MTgwLCJhIjoidG0tMSIsImIiOiJqbSIsImR1cmF0aW9uTXMiOjUyMH0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo2MzI0LCJwcm9jZXNzIjoidG0tMSIsInJlc3RhcnRBZnRlck1zIjozMjU0fSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjExNDQ2LCJwcm9jZXNzIjoiYnJva2VyIiwicmVzdGFydEFmdGVyTXMiOjMzNDF9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTM1NzYsInByb2Nlc3MiOiJ0bS0wIiwicmVzdGFydEFmdGVyTXMiOjMxNX0seyJraW5kIjoiY3Jhc2giLCJhdE1zIjoxNTQ3NywicHJvY2VzcyI6ImJyb2tlciIsInJlc3RhcnRBZnRlck1zIjoxNjV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTU1ODEsInByb2Nlc3MiOiJ0bS0wIiwicmVzdGFydEFmdGVyTXMiOjM5MDV9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MTk1NTcsInByb2Nlc3MiOiJ0bS0xIiwicmVzdGFydEFmdGVyTXMiOjQ4NH1dfX0',
  'w1.eyJzY2VuYXJpbyI6InNlc3Npb25zIiwic2VlZCI6Mzc4LCJndWFyYW50ZWUiOiJleGFjdGx5LW9uY2UiLCJmYXVsdHMiOiJzd2FybSIsImJ1Z3MiOltdLCJwbGFuIjp7ImZhdWx0cyI6W3sia2luZCI6ImRpc2stY29ycnVwdGlvbiIsImF0TXMiOjEwMTEsInByb2Nlc3MiOiJicm9rZXIiLCJkdXJhdGlvbk1zIjoxMzcxfSx7ImtpbmQiOiJjcmFzaCIsImF0TXMiOjE2MzEsInByb2Nlc3MiOiJicm9rZXIiLCJyZXN0YXJ0QWZ0ZXJNcyI6MjAzfSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6MjcxNiwiZHVyYXRpb25NcyI6MTQwNSwiZXh0cmFNcyI6NTd9LHsia2luZCI6ImNyYXNoIiwiYXRNcyI6MzQ0MCwicHJvY2VzcyI6InRtLTEiLCJyZXN0YXJ0QWZ0ZXJNcyI6NDE3fSx7ImtpbmQiOiJsYXRlbmN5LXNwaWtlIiwiYXRNcyI6Njc2NywiZHVyYXRpb25NcyI6NTE0LCJleHRyYU1zIjo3M30seyJraW5kIjoiY3Jhc2giLCJhdE1zIjo2ODM1LCJwcm9jZXNzIjoidG0tMSIsInJlc3RhcnRBZnRlck1zIjoxNzc1fV19fQ',
];

describe('soak regressions', () => {
  it.each(TOKENS.map((t, i) => [i + 1, t] as const))('run %i passes every check', (_i, token) => {
    const r = runScenario(decodeToken(token));
    expect(r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
  });
});
