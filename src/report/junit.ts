import type { Semantics } from '../model/semantics.js';
import type { CheckResult } from '../runner/check.js';
import type { Interrupted } from './json.js';
import { PROPERTIES, propertyOf } from '../runner/properties.js';

/**
 * JUnit XML, the report format CI systems read: suites of test cases, each passed, failed or
 * skipped. Only the common subset (testsuites/testsuite/testcase/failure/skipped/system-out) is
 * written, which GitHub, GitLab and Jenkins all read.
 */
export interface JUnitSuite {
  readonly name: string;
  readonly timeSec: number;
  readonly cases: readonly JUnitCase[];
}

export interface JUnitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeSec: number;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly skipped?: string;
  readonly output?: string;
}

/**
 * Escapes text for XML content and attribute values. Characters XML 1.0 cannot hold at all (most
 * control characters, lone surrogates) become U+FFFD, so a pool's odd error message never makes
 * the whole report unreadable.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The XML document for these suites. */
export function formatJUnit(suites: readonly JUnitSuite[], name = 'poolcheck'): string {
  const count = (f: (c: JUnitCase) => boolean): number => suites.reduce((n, s) => n + s.cases.filter(f).length, 0);
  const attr = (k: string, v: string | number): string => ` ${k}="${escapeXml(String(v))}"`;
  const secs = (t: number): string => t.toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites${attr('name', name)}${attr('tests', count(() => true))}${attr('failures', count((c) => c.failure !== undefined))}${attr('skipped', count((c) => c.skipped !== undefined))}${attr('time', secs(suites.reduce((t, s) => t + s.timeSec, 0)))}>`);
  for (const s of suites) {
    const failures = s.cases.filter((c) => c.failure !== undefined).length;
    const skipped = s.cases.filter((c) => c.skipped !== undefined).length;
    lines.push(`  <testsuite${attr('name', s.name)}${attr('tests', s.cases.length)}${attr('failures', failures)}${attr('errors', 0)}${attr('skipped', skipped)}${attr('time', secs(s.timeSec))}>`);
    for (const c of s.cases) {
      const open = `    <testcase${attr('name', c.name)}${attr('classname', c.classname)}${attr('time', secs(c.timeSec))}`;
      if (c.failure === undefined && c.skipped === undefined && c.output === undefined) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (c.failure !== undefined) lines.push(`      <failure${attr('message', c.failure.message)}${attr('type', c.failure.type)}>${escapeXml(c.failure.body)}</failure>`);
      if (c.skipped !== undefined) lines.push(`      <skipped${attr('message', c.skipped)}/>`);
      if (c.output !== undefined) lines.push(`      <system-out>${escapeXml(c.output)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/**
 * `poolcheck check --junit`: a suite per adapter, a test case per property. The property the
 * failure broke fails, with the violation, the counterexample and the rerun command; a property
 * the declared semantics say nothing about is skipped.
 */
export function junitFromCheck(results: readonly { result: CheckResult; semantics: Semantics; rerun: string; report: string }[], interrupted: Interrupted | null = null): JUnitSuite[] {
  // The adapter a signal stopped has no verdict: one failed case says so, so CI never reads it as a pass.
  const stopped: JUnitSuite[] =
    interrupted === null
      ? []
      : [{ name: interrupted.adapter.name, timeSec: 0, cases: [{ name: 'check', classname: `poolcheck.${interrupted.adapter.name}`, timeSec: 0, failure: { message: `interrupted by ${interrupted.signal}`, type: 'interrupted', body: `interrupted by ${interrupted.signal} after ${interrupted.progress.runs} run(s), before a verdict` } }] }];
  return [...results.map(({ result, semantics, rerun, report }) => {
    const broken = result.failure === null ? null : propertyOf(result.failure.violation.kind).id;
    const timeSec = result.wallMs / 1000;
    return {
      name: result.adapter,
      timeSec,
      cases: PROPERTIES.map((p): JUnitCase => {
        const base = { name: p.title, classname: `poolcheck.${result.adapter}`, timeSec };
        if (!(p.appliesTo?.(semantics) ?? true)) return { ...base, skipped: 'the declared semantics say nothing about this property' };
        if (broken !== p.id || result.failure === null) return base;
        const v = result.failure.violation;
        return { ...base, failure: { message: `${v.kind}: ${v.message}`, type: v.kind, body: `${report}\n\nRerun: ${rerun}\n` } };
      }),
    };
  }), ...stopped];
}
