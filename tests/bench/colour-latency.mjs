// colour-latency: how long a new colour on the X screen takes to reach a
// pixel of the viewer page in headless Chromium, for each capture
// template, and how long the first frame takes after startSession; prints
// Markdown table rows like stream-bench's. Node drives the painter and the
// page, and both stamp times with the same system clock (Date.now(), here
// and in the page; steps within the page on the page's own clock). Run by
// scripts/bench inside tests/support/netns-run, which provides 10.213.0.1.
//
//   node colour-latency.mjs SERVER_BINARY X_PAINTER [CHANGES]

import {spawn} from 'node:child_process';
import {launchBrowser, openLibraryPage, openViewer, waitForPlaying}
  from '../browser/browser.mjs';
import {OwnServer} from '../browser/server.mjs';

const HOST = '10.213.0.1';
const COLOURS = ['d03020', '20c040', '3050e0', 'f0f0f0', '202020', 'e0c000'];
const TOLERANCE = 40;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// An Xvfb 1280x720 on a display number it picks itself; sets DISPLAY.
async function startXvfb() {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x720x24',
    '-nolisten', 'tcp', '-noreset'], {stdio: ['ignore', 'ignore', 'ignore', 'pipe']});
  const number = await new Promise((resolve, reject) => {
    let text = '';
    xvfb.stdio[3].on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) {
        resolve(text.trim());
      }
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  process.env.DISPLAY = `:${number}`;
  return xvfb;
}

// x-painter filling the screen; a line RRGGBB on its stdin repaints it.
function startPainter(binary) {
  return spawn(binary, ['--colour', '336699'], {stdio: ['pipe', 'ignore', 'inherit']});
}

// In the page: on every frame the video presents, read the pixel block a
// quarter in from the top left (the cursor sits in the centre) and stamp
// the first frame that shows the wanted colour.
function installProbe(page, selector) {
  return page.evaluate((videoSelector, tolerance) => {
    const video = document.querySelector(videoSelector);
    const canvas = document.createElement('canvas');
    canvas.width = 8;
    canvas.height = 8;
    const context = canvas.getContext('2d', {willReadFrequently: true});
    const probe = {want: null, seen: null, sinceArrival: null,
      sincePresentation: null};
    window.latencyProbe = probe;

    const onFrame = (now, meta) => {
      if (probe.want && probe.seen === null) {
        const x = Math.floor(video.videoWidth / 4);
        const y = Math.floor(video.videoHeight / 4);
        context.drawImage(video, x, y, 8, 8, 0, 0, 8, 8);
        const data = context.getImageData(0, 0, 8, 8).data;
        const mean = [0, 1, 2].map((c) => {
          let sum = 0;
          for (let i = c; i < data.length; i += 4) {
            sum += data[i];
          }
          return sum / 64;
        });
        if (mean.every((v, c) => Math.abs(v - probe.want[c]) <= tolerance)) {
          // Date.now() for the clock Node shares; the page's own clock for
          // the steps within the page.
          probe.seen = Date.now();
          const at = performance.now();
          probe.sinceArrival = meta.receiveTime ? at - meta.receiveTime : null;
          probe.sincePresentation = at - meta.presentationTime;
        }
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }, selector, TOLERANCE);
}

function rgb(hex) {
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

// Paints `changes` colours one after the other; returns per change the
// milliseconds from the paint to the pixel, to the packet's arrival and to
// the frame's presentation.
async function measureChanges(page, painter, changes) {
  const samples = [];
  for (let i = 0; i < changes; i++) {
    const colour = COLOURS[i % COLOURS.length];
    await page.evaluate((want) => {
      Object.assign(window.latencyProbe, {want, seen: null});
    }, rgb(colour));
    const start = Date.now();
    painter.stdin.write(`${colour}\n`);
    try {
      await page.waitForFunction(() => window.latencyProbe.seen !== null,
        {polling: 10, timeout: 3000});
      const probe = await page.evaluate(() => ({...window.latencyProbe}));
      samples.push({pixel: probe.seen - start, sinceArrival: probe.sinceArrival,
        sincePresentation: probe.sincePresentation});
    } catch {
      samples.push(null);
    }
    // Out of step with the capture's 30 fps, so changes land anywhere.
    await sleep(250 + Math.random() * 150);
  }
  return samples;
}

// A bare gstwebrtc-api page: from connect(), which sends startSession, to
// the first frame the video presents.
async function firstFrameMs(browser, url, signallingUrl, session) {
  const page = await openLibraryPage(browser, url);
  try {
    return await page.evaluate(async (signalling, wanted) => {
      const api = new GstWebRTCAPI({signalingServerUrl: signalling,
        meta: {session: wanted}, webrtcConfig: {iceServers: []}});
      const producer = await new Promise((resolve) => {
        api.registerPeerListener({producerAdded(added) {
          if (added.meta.session === wanted) {
            resolve(added);
          }
        }});
      });
      const video = document.getElementById('remote');
      const consumer = api.createConsumerSession(producer.id);
      consumer.addEventListener('streamsChanged', () => {
        video.srcObject = consumer.streams[0];
      });
      const shown = new Promise((resolve) => {
        video.requestVideoFrameCallback(() => resolve(performance.now()));
      });
      const start = performance.now();
      consumer.connect();
      const end = await Promise.race([shown,
        new Promise((resolve) => setTimeout(() => resolve(null), 10000))]);
      consumer.close();
      return end === null ? null : end - start;
    }, signallingUrl, session);
  } finally {
    await page.close();
  }
}

function percentile(values, p) {
  const sorted = values.filter((v) => v !== null && v !== undefined)
    .sort((a, b) => a - b);
  if (sorted.length === 0) {
    return null;
  }
  return sorted[Math.round(p * (sorted.length - 1))];
}

function fixed(value, unit) {
  if (value === null) {
    return 'not measured';
  }
  return unit ? `${value.toFixed(1)} ${unit}` : String(value);
}

// A row as BenchTable prints it: value, baseline, ratio, target, result.
function row(measure, value, unit, {baseline = null, atMost = null} = {}) {
  const ratio = value !== null && baseline ? `${(value / baseline).toFixed(2)} x` : '';
  let result = '';
  if (atMost !== null) {
    result = value === null ? 'not measured' :
      value <= atMost ? 'met' : `missed by ${fixed(value - atMost, unit)}`;
  }
  const target = atMost === null ? '' : `<= ${fixed(atMost, unit)}`;
  const base = baseline === null ? '' : fixed(baseline, unit);
  console.log(`| ${measure} | ${fixed(value, unit)} | ${base} | ${ratio} | ` +
    `${target} | ${result} |`);
}

// The latency tracer's records in the server's log: median microseconds
// each named element held a buffer, and from the capture to each sink.
function tracerSummary(text) {
  const perElement = new Map();
  for (const match of text.matchAll(
    /element-latency, .*?element=\(string\)([^,]+), .*?time=\(guint64\)(\d+)/g)) {
    const list = perElement.get(match[1]) ?? [];
    list.push(Number(match[2]) / 1e6);
    perElement.set(match[1], list);
  }
  const pipeline = [];
  const pipelineRecord = new RegExp('latency, src-element-id=.*?' +
    'src-element=\\(string\\)([^,]+), .*?sink-element=\\(string\\)([^,]+), ' +
    '.*?time=\\(guint64\\)(\\d+)', 'g');
  for (const match of text.matchAll(pipelineRecord)) {
    pipeline.push({from: match[1], to: match[2], ms: Number(match[3]) / 1e6});
  }
  return {perElement, pipeline};
}

async function runTemplate(browser, binary, painter, template, changes, env = {}) {
  const server = new OwnServer(binary, HOST, ['--pipeline', template]);
  try {
    // OwnServer passes this process's environment on as it is at start().
    Object.assign(process.env, env);
    try {
      await server.start();
    } finally {
      for (const name of Object.keys(env)) {
        delete process.env[name];
      }
    }
    const page = await openViewer(browser, server.url);
    await waitForPlaying(page, 20000);
    await installProbe(page, '#stream');
    const samples = await measureChanges(page, painter, changes);
    await page.close();
    return {samples, server};
  } finally {
    await server.stop();
  }
}

async function main() {
  const [binary, painterBinary, changesArg] = process.argv.slice(2);
  if (!binary || !painterBinary) {
    console.error('usage: node colour-latency.mjs SERVER_BINARY X_PAINTER [CHANGES]');
    process.exit(64);
  }
  const changes = Number(changesArg ?? 25);
  const xvfb = await startXvfb();
  const painter = startPainter(painterBinary);
  await sleep(300);
  const browser = await launchBrowser('chromium');
  const servers = [];
  try {
    const fixedRate = await runTemplate(browser, binary, painter, 'x11-vp8', changes);
    servers.push(fixedRate.server);
    const damage = await runTemplate(browser, binary, painter, 'x11-damage-vp8', changes);
    servers.push(damage.server);
    const pixel = (run) => run.samples.map((s) => s && s.pixel);
    const lost = damage.samples.filter((s) => s === null).length;

    const label = `colour change to pixel in Chromium, x11-damage-vp8 ` +
      `(baseline: fixed-rate x11-vp8)`;
    row(`${label}, median of ${changes - lost}`, percentile(pixel(damage), 0.5), 'ms',
      {baseline: percentile(pixel(fixedRate), 0.5), atMost: 40});
    row(`${label}, 95th percentile`, percentile(pixel(damage), 0.95), 'ms',
      {baseline: percentile(pixel(fixedRate), 0.95), atMost: 80});
    row('colour changes Chromium never showed within 3 s', lost, '', {atMost: 0});
    row('of which: in Chromium from the frame\'s last packet to the pixel, median',
      percentile(damage.samples.map((s) => s && s.sinceArrival), 0.5), 'ms');
    row('of which: in Chromium from the frame\'s last packet to the pixel, ' +
      '95th percentile',
      percentile(damage.samples.map((s) => s && s.sinceArrival), 0.95), 'ms');
    row('of which: in Chromium from the frame\'s presentation to the pixel, median',
      percentile(damage.samples.map((s) => s && s.sincePresentation), 0.5), 'ms');

    // The same server once more with GStreamer's latency tracer on.
    const traced = await runTemplate(browser, binary, painter, 'x11-damage-vp8', 10, {
      GST_TRACERS: 'latency(flags=pipeline+element)',
      GST_DEBUG: 'GST_TRACER:7',
      GST_DEBUG_NO_COLOR: '1',
    });
    servers.push(traced.server);
    const {readFile} = await import('node:fs/promises');
    const summary = tracerSummary(await readFile(traced.server.log.path, 'utf8'));
    // The template's chain element by element; webrtcbin's elements (after
    // the tee, "fanout") as one sum of medians.
    let inWebrtcbin = 0;
    for (const [element, values] of summary.perElement) {
      if (/^(queue1|videoconvert|videoscale|encoder|payloader)/.test(element)) {
        row(`latency tracer: time in ${element}, median of ${values.length}`,
          percentile(values, 0.5), 'ms');
      } else if (!/^(capsfilter1|fanout)$/.test(element)) {
        inWebrtcbin += percentile(values, 0.5);
      }
    }
    row('latency tracer: time in the viewer branch and webrtcbin\'s elements, ' +
      'sum of their medians', inWebrtcbin, 'ms');
    const fromCapture = summary.pipeline.filter((p) => p.from === 'capture')
      .map((p) => p.ms);
    row(`latency tracer: capture's source pad to the network sink, median of ` +
      `${fromCapture.length}`, percentile(fromCapture, 0.5), 'ms');

    const own = new OwnServer(binary, HOST, ['--pipeline', 'x11-damage-vp8']);
    servers.push(own);
    await own.start();
    const signalling = `ws://${new URL(own.url).host}/signalling`;
    const firsts = [];
    for (let i = 0; i < 10; i++) {
      firsts.push(await firstFrameMs(browser, own.url, signalling, 'own-server'));
    }
    row('first frame in Chromium after connect() (startSession), x11-damage-vp8, ' +
      'still screen, median of 10', percentile(firsts, 0.5), 'ms', {atMost: 300});
    row('first frame in Chromium after startSession, worst of 10',
      percentile(firsts, 1), 'ms');
  } finally {
    await browser.close();
    for (const server of servers) {
      await server.dispose();
    }
    painter.kill();
    xvfb.kill();
  }
}

await main();
