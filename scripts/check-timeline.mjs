#!/usr/bin/env node
// Renders the timeline page of a real failing case in headless Chromium and checks what a person
// would see: no console or page error, no request leaving the page, the idle and size charts, a
// lifeline per connection with its marks, and the diverging step highlighted in the charts and the
// table. Saves a screenshot (default: timeline.png in a temporary directory; or the path given).
//
//   npm run timeline:browser [-- OUT.png]
//
// Needs dist/ (the npm script builds it) and Debian's chromium, which it installs with apt-get
// when /usr/bin/chromium is missing. Not part of npm test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'poolcheck-timeline-'));
const screenshot = resolve(process.argv[2] ?? join(work, 'timeline.png'));

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status === 0;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`${CHROMIUM} is missing: installing Debian's chromium`);
  if (!run('apt-get', ['install', '-y', 'chromium'])) {
    // A fresh machine has no package lists yet.
    if (!run('apt-get', ['update']) || !run('apt-get', ['install', '-y', 'chromium'])) {
      throw new Error(`could not install chromium with apt-get; install it so that ${CHROMIUM} exists, then rerun`);
    }
  }
}

/**
 * A case from the pool whose expiry timer is not cancelled on acquire: two connections, one
 * queried; the loop is blocked past both deadlines and an acquire is issued as it wakes, which gets
 * #2; #1 expires as it should, but #2's stale timer closes it in use.
 */
function writeCase() {
  const file = join(work, 'timer-not-cancelled.json');
  const mutant = join(ROOT, 'fixtures/mutants/timer-not-cancelled-on-acquire.ts');
  const semantics = { expiry: { kind: 'timer' }, armsOn: 'release-and-create', min: 'ignored', reuse: 'lifo', handoff: 'microtask', zeroLifetime: 'disables', opensMinOnCreate: true };
  const steps = [
    { op: 'acquire' },
    { op: 'acquire' },
    { op: 'query', connection: 1, sql: 'SELECT 1' },
    { op: 'release', connection: 1 },
    { op: 'sleep', ms: 500 },
    { op: 'release', connection: 2 },
    { op: 'blockingSleep', ms: 1000, acquireOnWake: true },
  ];
  const saved = {
    schema: 'poolcheck/regression@1',
    adapter: { module: relative(work, mutant), name: 'mutant: timer not cancelled on acquire <script>' },
    config: { minSize: 0, maxSize: 2, lifetimeMs: 1000 },
    semantics,
    steps,
    expect: { verdict: 'fail', violation: { kind: 'destroyed-in-use', message: 'connection #2 was destroyed at 1500 ms, but it was in use' } },
    provenance: { seed: 0, path: '', replayPath: null, found: '2026-01-01', poolcheck: '0.1.0', shard: '1/1' },
  };
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  return file;
}

async function main() {
  ensureChromium();
  const caseFile = writeCase();
  const html = join(work, 'timeline.html');
  const cli = spawnSync(process.execPath, [join(ROOT, 'bin/poolcheck.js'), 'replay', caseFile, '--html', html], { encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`poolcheck replay exited ${cli.status}, expected 0 (the case expects its failure):\n${cli.stdout}${cli.stderr}`);

  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'poolcheck-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
  });
  const problems = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const url = pathToFileURL(html).href;
    page.on('request', (request) => {
      if (request.url() !== url) problems.push(`the page requested ${request.url()}; it must be self-contained`);
    });
    await page.goto(url, { waitUntil: 'load' });

    const expectVisible = async (selector, what, min = 1) => {
      const found = await page.locator(selector).count();
      if (found < min) {
        problems.push(`${what}: expected at least ${min} of ${selector}, found ${found}`);
        return;
      }
      const box = await page.locator(selector).first().boundingBox();
      if (box === null || (box.width === 0 && box.height === 0)) problems.push(`${what}: ${selector} is not drawn`);
    };
    await expectVisible('svg.timeline-svg', 'the timeline');
    for (const chart of ['idle', 'size']) {
      await expectVisible(`g.chart[data-chart="${chart}"] polyline.model`, `the ${chart} chart, model`);
      await expectVisible(`g.chart[data-chart="${chart}"] polyline.pool`, `the ${chart} chart, pool`);
    }
    await expectVisible('g.lifeline', 'a lifeline per connection', 2);
    for (const mark of ['create', 'acquire', 'release', 'query', 'expiry', 'destroy']) await expectVisible(`g.lifeline .mark.${mark}`, `the ${mark} marks`);
    await expectVisible('g.lifeline .seg.busy', 'an in-use span');
    await expectVisible('g.lifeline .seg.idle', 'an idle span');
    await expectVisible('rect.diverge-band', 'the diverging step in the charts');
    await expectVisible('tr.diverge', 'the diverging step in the table');
    const bandStep = await page.locator('rect.diverge-band').first().getAttribute('data-step');
    const rowStep = await page.locator('tr.diverge').first().getAttribute('data-step');
    if (bandStep === null || bandStep !== rowStep) problems.push(`the chart highlights step ${bandStep}, the table step ${rowStep}`);
    const title = await page.title();
    if (!title.includes('<script>')) problems.push(`the title should show the adapter's name as text, got ${JSON.stringify(title)}`);
    if ((await page.locator('script').count()) > 0) problems.push('an adapter name got into the page as markup');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`diverging step: ${bandStep}; lifelines: ${await page.locator('g.lifeline').count()}; steps: ${await page.locator('tbody tr').count()}`);
  } finally {
    await context.close();
  }
  console.log(`page: ${html}`);
  console.log(`screenshot: ${screenshot}`);
  if (problems.length > 0) {
    console.error(`timeline page check FAILED:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('timeline page check passed');
  }
}

main().catch((error) => {
  console.error(`timeline page check FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
