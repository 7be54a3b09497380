// Remote control from the viewer page, as a user drives it: defineControlTests().

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {ENGINES, launchBrowser, openViewer, viewerState, waitForPlaying} from './browser.mjs';
import {readEnvironment, withOwnServer} from './server.mjs';
import {XRecorder} from './recorder.mjs';
import {VIDEO_SIZE, withPage} from './checks.mjs';

const PLAY_TIMEOUT_MS = 15000;
const INPUT_TIMEOUT_MS = 5000;
const TEST_TIMEOUT_MS = 60000;

// A window smaller than the 1280x720 stream: the picture is scaled down.
const VIEWPORT = {width: 800, height: 600};

const SHIFT_MASK = 1;
const BUTTON1_MASK = 1 << 8;
const HELD = SHIFT_MASK | BUTTON1_MASK;

const env = readEnvironment();

// Where a point of the video (in video pixels) shows in the window.
function pagePoint(videoX, videoY, video = VIDEO_SIZE) {
  const scale = Math.min(VIEWPORT.width / video.width, VIEWPORT.height / video.height);
  const left = (VIEWPORT.width - video.width * scale) / 2;
  const top = (VIEWPORT.height - video.height * scale) / 2;
  return {x: left + videoX * scale, y: top + videoY * scale};
}

// Opens the viewer at `url` in the window size above and waits until it
// plays and its remote controller is attached to the video.
async function openControlled(browser, url) {
  const page = await openViewer(browser, url);
  await page.setViewport(VIEWPORT);
  await waitForPlaying(page, PLAY_TIMEOUT_MS);
  await page.waitForFunction(() => window.viewerState.control === 'attached',
    {timeout: PLAY_TIMEOUT_MS});
  return page;
}

// Types `text` on the focused video. Chromium's puppeteer keyboard sends
// characters it has no key for as text alone, without key events, so those
// go through the DevTools protocol as the key events a keyboard with them
// would make; Firefox's takes any character.
async function typeText(page, engine, text) {
  const cdp = engine === 'chromium' ? await page.createCDPSession() : null;
  for (const character of text) {
    const ascii = character >= ' ' && character <= '~';
    if (ascii || !cdp) {
      await page.keyboard.type(character);
      continue;
    }
    for (const type of ['keyDown', 'keyUp']) {
      const typed = type === 'keyDown' ? {text: character, unmodifiedText: character} : {};
      await cdp.send('Input.dispatchKeyEvent', {type, key: character, ...typed});
    }
  }
  await cdp?.detach();
}

function near(event, expected) {
  return Math.abs(event.x - expected.x) <= 1 && Math.abs(event.y - expected.y) <= 1;
}

// Clicks at `target` (screen pixels, with `video` the stream's size and
// `screenScale` screen pixels per video pixel) and checks where the X
// client saw the click.
async function assertClickLands(page, recorder, target, {button = 'left', video, screenScale = 1}) {
  const before = recorder.events('button-press').length;
  const point = pagePoint(target.x / screenScale, target.y / screenScale, video);
  const pressed = (events) => events.filter((e) => e.event === 'button-press')[before];
  await page.mouse.click(point.x, point.y, {button});

  // Headless Firefox was seen, rarely, to deliver the move of a page's
  // first click without its press; once more tells that from a lost click.
  let press = await recorder.waitFor(pressed, 'a click', INPUT_TIMEOUT_MS / 2)
    .catch(() => null);
  if (!press) {
    console.log(`no press for the click at ${JSON.stringify(point)}; ` +
      `viewerState ${JSON.stringify(await viewerState(page))}; clicking again`);
    await page.mouse.click(point.x, point.y, {button});
    press = await recorder.waitFor(pressed, `a click near ${JSON.stringify(target)}`,
      INPUT_TIMEOUT_MS);
  }
  const where = `clicked at ${JSON.stringify(point)} in the window for ` +
    `${JSON.stringify(target)} on the screen; the X client saw ${JSON.stringify(press)}`;
  assert.ok(near(press, target), where);
  assert.equal(press.button, button === 'left' ? 1 : 3, where);
}

// Asks for the pointer's mask until `wanted(mask)` holds.
async function waitForPointerMask(recorder, wanted, what) {
  const deadline = Date.now() + INPUT_TIMEOUT_MS;
  let pointer;
  do {
    pointer = await recorder.ask('pointer', 'pointer');
    if (wanted(pointer.mask)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < deadline);
  assert.fail(`never ${what}: the pointer is ${JSON.stringify(pointer)}`);
}

// Defines one test per case for `engine` ('chromium' or 'firefox').
export function defineControlTests(engine) {
  const {label} = ENGINES[engine];
  const context = {engine};

  before(async () => {
    assert.ok(env.recorderBinary, 'VMRTC_INPUT_RECORDER is not set: run these tests ' +
      'with meson test --suite browser');
    context.recorder = await XRecorder.start(env.recorderBinary, env.display);
    context.browser = await launchBrowser(engine);
  });
  after(async () => {
    await context.browser?.close();
    await context.recorder?.close();
  });

  const cases = [
    ['text typed on the video, shifted and not ASCII, arrives exactly', typesText],
    ['a click lands within a pixel of its target in the scaled picture', clicksLand],
    ['a click lands within a pixel when the server scales the video too',
      clicksLandScaledTwice],
    ['the wheel scrolls and a drag moves with the button held', scrollsAndDrags],
    ['a paste puts the text on the X clipboard and types Ctrl+V', pastes],
    ['closing the tab while holding Shift and a button leaves nothing pressed',
      releasesOnClose],
    ['with --input none nothing reaches the X display', injectsNothingWhenOff],
  ];
  for (const [title, body] of cases) {
    test(`${label}: ${title}`, {timeout: TEST_TIMEOUT_MS}, () => body(context));
  }
}

async function typesText({engine, browser, recorder}) {
  await withPage(openControlled(browser, env.viewerUrl.href), async (page) => {
    const focus = pagePoint(100, 100);
    await page.mouse.click(focus.x, focus.y);
    const typedBefore = recorder.typedText();

    await typeText(page, engine, 'Hello, World');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Digit1'); // "!", with Shift held as people type it
    await page.keyboard.up('Shift');
    await typeText(page, engine, ' é€');

    const expected = 'Hello, World! é€';
    const typed = () => recorder.typedText().slice(typedBefore.length);
    // Waits for as many characters; the assertion then shows what came.
    await recorder.waitFor(() => typed().length >= expected.length, `"${expected}"`,
      INPUT_TIMEOUT_MS).catch(() => {});
    assert.equal(typed(), expected);
  });
}

async function clicksLand({browser, recorder}) {
  await withPage(openControlled(browser, env.viewerUrl.href), async (page) => {
    await assertClickLands(page, recorder, {x: 200, y: 304}, {});
    await assertClickLands(page, recorder, {x: 1000, y: 600}, {button: 'right'});
    await assertClickLands(page, recorder, {x: 1272, y: 712}, {});
  });
}

async function clicksLandScaledTwice({browser, recorder}) {
  const video = {width: 640, height: 360};
  await withOwnServer(env, ['--width', '640', '--height', '360'], async (server) => {
    await withPage(openControlled(browser, server.url), async (page) => {
      const stats = await page.evaluate(() => window.viewerStats());
      assert.equal(stats.frameWidth, video.width, 'the server did not scale the video');
      await assertClickLands(page, recorder, {x: 400, y: 200}, {video, screenScale: 2});
      await assertClickLands(page, recorder, {x: 1040, y: 560}, {video, screenScale: 2});
    });
  });
}

async function scrollsAndDrags({browser, recorder}) {
  await withPage(openControlled(browser, env.viewerUrl.href), async (page) => {
    const pressesBefore = recorder.events('button-press').length;
    const start = pagePoint(320, 320);
    await page.mouse.move(start.x, start.y);
    await page.mouse.wheel({deltaY: 100}); // down: twice 50 pixels
    await page.mouse.down();
    const end = pagePoint(640, 480);
    await page.mouse.move(end.x, end.y, {steps: 5});
    await page.mouse.up();

    const releases = await recorder.waitFor((events) => {
      const presses = events.filter((e) => e.event === 'button-press').slice(pressesBefore);
      return presses.some((e) => e.button === 1) &&
        events.filter((e) => e.event === 'button-release').at(-1)?.button === 1 && presses;
    }, 'the scroll and the drag', INPUT_TIMEOUT_MS);
    assert.deepEqual(releases.map((e) => e.button), [5, 5, 1]);

    const press = releases.at(-1);
    const release = recorder.events('button-release').at(-1);
    assert.ok(near(press, {x: 320, y: 320}), `drag start ${JSON.stringify(press)}`);
    assert.ok(near(release, {x: 640, y: 480}), `drag end ${JSON.stringify(release)}`);
    const dragged = recorder.events('motion').filter((e) => e.state & BUTTON1_MASK);
    assert.ok(dragged.length >= 2, `motion with the button held: ${dragged.length}`);
  });
}

// Copies `text` to the browser's own clipboard as a user would: a click
// on a text field that selects it and copies.
async function copyInPage(page, text) {
  await page.evaluate((copied) => {
    const field = document.createElement('textarea');
    field.id = 'copy-source';
    field.value = copied;
    field.style.cssText = 'position:fixed;left:0;top:0;width:40px;height:20px;z-index:9';
    field.addEventListener('click', () => {
      field.select();
      document.execCommand('copy');
      field.remove();
    });
    document.body.append(field);
  }, text);
  await page.click('#copy-source');
}

async function pastes({browser, recorder}) {
  await withPage(openControlled(browser, env.viewerUrl.href), async (page) => {
    const text = 'pasted ü € "quoted"';
    await copyInPage(page, text);

    const focus = pagePoint(100, 100);
    await page.mouse.click(focus.x, focus.y);
    const keysBefore = recorder.events('key-press').length;
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyV');
    await page.keyboard.up('Control');

    const keys = await recorder.waitFor((events) => {
      const pressed = events.filter((e) => e.event === 'key-press').slice(keysBefore);
      return pressed.some((e) => e.keysym === 'v') && pressed;
    }, 'Ctrl+V', INPUT_TIMEOUT_MS);
    assert.deepEqual(keys.map((e) => e.keysym), ['Control_L', 'v']);
    assert.ok(keys[1].state & 4, `v without Control: ${JSON.stringify(keys[1])}`);

    const clipboard = await recorder.ask('selection CLIPBOARD UTF8_STRING', 'selection');
    assert.equal(clipboard.text, text);
    assert.equal((await viewerState(page)).pastes, 1);
  });
}

async function releasesOnClose({browser, recorder}) {
  const page = await openControlled(browser, env.viewerUrl.href);
  const point = pagePoint(500, 400);
  await page.mouse.move(point.x, point.y);
  await page.mouse.down();
  await page.keyboard.down('Shift');

  await waitForPointerMask(recorder, (mask) => (mask & HELD) === HELD,
    'Shift and button 1 down');

  await page.close();
  await waitForPointerMask(recorder, (mask) => (mask & HELD) === 0,
    'Shift and button 1 released');
  const keys = await recorder.ask('keys', 'keys');
  assert.deepEqual(keys.down, [], 'keys still down');
}

async function injectsNothingWhenOff({browser, recorder}) {
  await withOwnServer(env, ['--input', 'none'], async (server) => {
    await withPage(openControlled(browser, server.url), async (page) => {
      const before = recorder.events().length;
      const point = pagePoint(300, 300);
      await page.mouse.click(point.x, point.y);
      await page.keyboard.type('abc');

      await page.waitForFunction(() => window.viewerState.controlErrors >= 5,
        {timeout: INPUT_TIMEOUT_MS});
      const injected = recorder.events().slice(before)
        .filter((e) => ['key-press', 'button-press', 'motion'].includes(e.event));
      assert.deepEqual(injected, [], 'input reached the X display');
    });
  });
}
