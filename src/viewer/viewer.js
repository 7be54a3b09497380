// Viewer page logic: finds the server's producer and plays its stream.

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;

// A session that shows no picture within this time is closed and tried again.
const STREAM_TIMEOUT_MS = 20000;

// How many statuses viewerState.statusHistory keeps.
const HISTORY_LENGTH = 50;

const params = new URLSearchParams(location.search);
const signallingUrl = params.get('signalling') || defaultSignallingUrl();
const wantedSession = params.get('session');

const video = document.getElementById('stream');
const statusLine = document.getElementById('status');

// Read by the browser tests (tests/browser/); updated in place, never replaced.
window.viewerState = {
  status: 'connecting',
  producerId: null,
  sessionMeta: null,
  sessionId: null, // the signalling server's id of the current session
  sessionsStarted: 0,
  error: null,
  statusHistory: [], // the statuses so far, oldest first, repeats merged
  control: 'none', // 'attached' while input on the video goes to the VM
  controlErrors: 0, // requests the server refused
  pastes: 0, // texts pasted into the VM
  pasteErrors: 0, // texts the control channel would not carry
};

let api = null; // GstWebRTCAPI of the current signalling connection
let connected = false;
let session = null; // ConsumerSession that is starting or playing
let sessionProblem = null; // why the current session is failing, if known
let localCandidates = [];
let retryDelay = MIN_RETRY_MS;
let retryTimer = null;
let streamTimer = null;
let remoteController = null; // of the current session, once it has one
let pasteWithCtrlHeld = false; // the paste under way came from Ctrl+V

function defaultSignallingUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/signalling`;
}

function setStatus(status, text) {
  const history = viewerState.statusHistory;
  if (history.at(-1) !== status) {
    history.push(status);
    history.splice(0, history.length - HISTORY_LENGTH);
  }

  viewerState.status = status;
  document.body.dataset.status = status;
  statusLine.textContent = text;
}

function describeError(event) {
  const detail = event.error?.message;
  return detail ? `${event.message}: ${detail}` : event.message;
}

function producerLabel(producer) {
  return producer.meta.name || producer.meta.session || producer.id;
}

function waitingText() {
  if (wantedSession) {
    return `Connected. Waiting for session "${wantedSession}" to stream…`;
  }
  return 'Connected. Waiting for a stream…';
}

// Runs `action` after the backoff delay, which doubles up to MAX_RETRY_MS.
function scheduleRetry(reason, action) {
  clearTimeout(retryTimer);
  const delay = retryDelay;
  retryDelay = Math.min(retryDelay * 2, MAX_RETRY_MS);

  viewerState.error = reason;
  const seconds = (delay / 1000).toFixed(1);
  setStatus('reconnecting', `${reason}. Retrying in ${seconds} s…`);

  retryTimer = setTimeout(() => {
    retryTimer = null;
    action();
  }, delay);
}

function fail(reason) {
  viewerState.error = reason;
  setStatus('failed', reason);
}

// Wraps a listener so that it only runs while `owner` is the current API.
function whileCurrent(owner, listener) {
  return (...args) => {
    if (owner === api) {
      listener(...args);
    }
  };
}

function connect() {
  setStatus('connecting', `Connecting to ${signallingUrl}…`);

  try {
    api = new GstWebRTCAPI({
      signalingServerUrl: signallingUrl,
      reconnectionTimeout: 0, // the page runs its own backoff instead
      meta: wantedSession ? {session: wantedSession} : null,
      // The server's own candidates suffice; no public STUN server.
      webrtcConfig: {iceServers: [], bundlePolicy: 'max-bundle'},
    });
  } catch (error) {
    fail(`Cannot use the signalling URL ${signallingUrl}: ${error.message}`);
    return;
  }

  const owner = api;
  api.registerConnectionListener({
    connected: whileCurrent(owner, onConnected),
    disconnected: whileCurrent(owner, onDisconnected),
  });
  api.registerPeerListener({
    producerAdded: whileCurrent(owner, startSessionIfIdle),
  });
}

function onConnected() {
  connected = true;
  setStatus('waiting', waitingText());
}

// The library has already closed the sessions of this connection.
function onDisconnected() {
  const reason = connected
    ? `Lost the signalling connection to ${signallingUrl}`
    : `Cannot reach the signalling server at ${signallingUrl}`;

  api = null;
  connected = false;
  scheduleRetry(reason, connect);
}

function pickProducer(producers) {
  if (!wantedSession) {
    return producers[0] ?? null;
  }
  const wanted = (producer) => producer.meta.session === wantedSession;
  return producers.find(wanted) ?? null;
}

function startSessionIfIdle() {
  if (session || retryTimer || !connected) {
    return;
  }

  const producer = pickProducer(api.getAvailableProducers());
  if (producer) {
    startSession(producer);
  } else {
    setStatus('waiting', waitingText());
  }
}

function startSession(producer) {
  const started = api.createConsumerSession(producer.id);
  if (!started) {
    scheduleRetry('Cannot create a consumer session', startSessionIfIdle);
    return;
  }

  session = started;
  sessionProblem = null;
  localCandidates = [];
  viewerState.producerId = producer.id;
  viewerState.sessionMeta = {...producer.meta};
  viewerState.sessionsStarted += 1;

  watchSession(started);
  const label = producerLabel(producer);
  setStatus('waiting', `Waiting for the stream of ${label}…`);
  streamTimer = setTimeout(() => {
    closeSession(started, `No picture after ${STREAM_TIMEOUT_MS / 1000} s`);
  }, STREAM_TIMEOUT_MS);

  started.connect();
}

function watchSession(watched) {
  const own = (listener) => (event) => {
    if (watched === session) {
      listener(event);
    }
  };

  watched.addEventListener('error', own((event) => {
    sessionProblem = describeError(event);
  }));
  watched.addEventListener('stateChanged', own(() => {
    viewerState.sessionId = watched.sessionId || null;
  }));
  watched.addEventListener('streamsChanged', own(() => {
    showStream(watched.streams[0]);
  }));
  watched.addEventListener('rtcPeerConnectionChanged', own(() => {
    watchPeerConnection(watched);
  }));
  watched.addEventListener('remoteControllerChanged', own(() => {
    attachControl(watched.remoteController);
  }));
  watched.addEventListener('closed', own(onSessionClosed));
}

// Mouse, keyboard and touch on the video go to the VM through the server's
// "control" data channel; the library maps positions to video pixels.
function attachControl(controller) {
  viewerState.control = controller ? 'attached' : 'none';
  if (!controller) {
    return;
  }

  controller.attachVideoElement(video);
  remoteController = controller;
  controller.addEventListener('controlResponse', (event) => {
    if (event.detail?.error) {
      viewerState.controlErrors += 1;
      console.warn(`control request ${event.detail.id}: ${event.detail.error}`);
    }
  });
}

// Ctrl+V (or Cmd+V) on the video pastes the viewer's clipboard into the VM.
// The library would cancel the key, and with it the browser's paste event:
// it is kept from the library, the paste event sends the text, and then
// Ctrl+V is typed in the VM, whose clipboard now holds the text.
function onPasteKey(event) {
  const paste = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'v';
  if (paste && event.target === video && remoteController) {
    pasteWithCtrlHeld = event.ctrlKey;
    event.stopImmediatePropagation();
  }
}

function onPaste(event) {
  const text = event.clipboardData?.getData('text/plain');
  const onVideo = document.activeElement === video;
  if (!remoteController || !onVideo || text === undefined || text === '') {
    return;
  }
  event.preventDefault();

  const key = (type, name) => remoteController.sendControlRequest({
    type: 'navigationEvent', event: {event: type, key: name, modifier_state: ''},
  });
  // FIXME: the text travels as one data channel message, and the browser
  // refuses one over the channel's maximum message size (the SCTP
  // transport's maxMessageSize, which may be below the server's 1 MiB
  // cap); longer text is not split up, so it cannot be pasted.
  if (remoteController.sendControlRequest({type: 'clipboard', text}) < 0) {
    viewerState.pasteErrors += 1;
    console.warn(`cannot paste ${text.length} characters: the channel refused them`);
    pasteWithCtrlHeld = false;
    return;
  }
  if (!pasteWithCtrlHeld) {
    key('KeyPress', 'Control_L');
  }
  key('KeyPress', 'v');
  key('KeyRelease', 'v');
  if (!pasteWithCtrlHeld) {
    key('KeyRelease', 'Control_L');
  }
  pasteWithCtrlHeld = false;
  viewerState.pastes += 1;
}

function watchPeerConnection(watched) {
  const connection = watched.rtcPeerConnection;
  if (!connection) {
    return;
  }

  connection.addEventListener('icecandidate', (event) => {
    if (event.candidate?.candidate) {
      localCandidates.push(event.candidate.candidate);
    }
  });
  connection.addEventListener('connectionstatechange', () => {
    if (connection.connectionState === 'failed') {
      closeSession(watched, 'The WebRTC connection failed');
    }
  });
}

function closeSession(closing, reason) {
  if (closing === session) {
    sessionProblem = reason;
    closing.close();
  }
}

// Without a problem of its own, a session closes because the server ended
// it (it may have refused one viewer too many) or the connection dropped.
function onSessionClosed() {
  const reason = sessionProblem ?? 'The server ended the session';
  session = null;
  viewerState.producerId = null;
  viewerState.sessionMeta = null;
  viewerState.sessionId = null;
  viewerState.control = 'none';
  remoteController = null;
  clearTimeout(streamTimer);
  video.srcObject = null;

  // When the whole connection dropped, `disconnected` follows in this same
  // task and takes over: retry the session alone only if still connected.
  queueMicrotask(() => {
    if (connected) {
      scheduleRetry(reason, startSessionIfIdle);
    }
  });
}

function showStream(stream) {
  if (!stream || video.srcObject === stream) {
    return;
  }

  video.srcObject = stream;
  video.play().catch(onPlayRefused);
}

function onPlayRefused(error) {
  if (error.name === 'AbortError') {
    return; // a newer stream replaced this one
  }

  viewerState.error = `The browser refused to play: ${error.message}`;
  setStatus('waiting', 'Autoplay was blocked. Click to start the video.');
  const retry = () => video.play().catch(onPlayRefused);
  document.addEventListener('click', retry, {once: true});
}

function onVideoPlaying() {
  if (!session) {
    return;
  }

  clearTimeout(streamTimer);
  retryDelay = MIN_RETRY_MS;
  viewerState.error = null;
  setStatus('playing', `Playing ${viewerState.sessionMeta?.name ?? ''}`.trim());
}

function findInboundVideo(report) {
  for (const entry of report.values()) {
    if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
      return entry;
    }
  }
  return {};
}

function describeCandidate(report, id) {
  const candidate = id ? report.get(id) : null;
  if (!candidate) {
    return null;
  }
  return {type: candidate.candidateType, address: candidate.address};
}

// The header extensions (their URIs) that an SDP text agrees to.
function headerExtensions(sdp) {
  return [...(sdp ?? '').matchAll(/^a=extmap:\d+\S* (\S+)/gm)].map((m) => m[1]);
}

// For tests and debugging: a summary of the session's getStats(), or null.
window.viewerStats = async function viewerStats() {
  const connection = session?.rtcPeerConnection;
  if (!connection) {
    return null;
  }

  const report = await connection.getStats();
  const inbound = findInboundVideo(report);
  let pair = {};
  for (const entry of report.values()) {
    if (entry.type === 'transport' && entry.selectedCandidatePairId) {
      pair = report.get(entry.selectedCandidatePairId) ?? {};
    }
  }

  return {
    connectionState: connection.connectionState,
    framesReceived: inbound.framesReceived ?? 0,
    framesDecoded: inbound.framesDecoded ?? 0,
    framesDropped: inbound.framesDropped ?? 0,
    keyFramesDecoded: inbound.keyFramesDecoded ?? 0,
    packetsLost: inbound.packetsLost ?? 0,
    frameWidth: inbound.frameWidth ?? 0,
    frameHeight: inbound.frameHeight ?? 0,
    bytesReceived: inbound.bytesReceived ?? 0,
    codec: (inbound.codecId && report.get(inbound.codecId)?.mimeType) ?? null,
    localCandidate: describeCandidate(report, pair.localCandidateId),
    remoteCandidate: describeCandidate(report, pair.remoteCandidateId),
    localCandidates: [...localCandidates],
    headerExtensions: headerExtensions(connection.localDescription?.sdp),
  };
};

video.addEventListener('playing', onVideoPlaying);
window.addEventListener('keydown', onPasteKey, {capture: true});
window.addEventListener('paste', onPaste);

// Tell the server at once instead of letting the session time out.
window.addEventListener('pagehide', () => session?.close());

if (typeof GstWebRTCAPI === 'function') {
  connect();
} else {
  fail('gstwebrtc-api.js did not load; the viewer cannot start');
}
