// A stand-in for loopback mode in tests: serves the viewer's files and a small
// signalling server that speaks docs/protocol.md, so the page can be tested alone.

import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const VIEWER_DIR = fileURLToPath(new URL('../../src/viewer/', import.meta.url));

// The library's browser bundle, the same file the GResource embeds.
export const GSTWEBRTC_API_BUNDLE = createRequire(import.meta.url).resolve('gstwebrtc-api');

const FILES = {
  '/': [VIEWER_DIR + 'index.html', 'text/html; charset=utf-8'],
  '/viewer.js': [VIEWER_DIR + 'viewer.js', 'text/javascript; charset=utf-8'],
  '/viewer.css': [VIEWER_DIR + 'viewer.css', 'text/css; charset=utf-8'],
  '/gstwebrtc-api.js': [GSTWEBRTC_API_BUNDLE, 'text/javascript; charset=utf-8'],
};

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

function encodeFrame(opcode, payload) {
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x80 | opcode, payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(payload.length, 2);
    header[1] = 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(BigInt(payload.length), 2);
    header[1] = 127;
  }
  header[0] = 0x80 | opcode;
  return Buffer.concat([header, payload]);
}

// Splits one whole client frame off the front of `buffer`, or returns null.
// Clients always mask; fragmented messages are not supported (browsers send
// signalling messages whole).
function decodeFrame(buffer) {
  if (buffer.length < 2) {
    return null;
  }

  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + 4 + length) {
    return null;
  }

  const mask = buffer.subarray(offset, offset + 4);
  const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i++) {
    payload[i] ^= mask[i % 4];
  }
  return {opcode: buffer[0] & 0x0f, payload, rest: buffer.subarray(offset + 4 + length)};
}

// One accepted WebSocket; calls onText(string) per message and onClose() once.
class WebSocketPeer {
  constructor(socket, onText, onClose) {
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.closed = false;

    socket.on('data', (chunk) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      for (let frame; (frame = decodeFrame(this.pending));) {
        this.pending = frame.rest;
        this.onFrame(frame, onText);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      onClose();
    });
    socket.on('error', () => socket.destroy());
  }

  onFrame(frame, onText) {
    if (frame.opcode === OPCODE_TEXT) {
      onText(frame.payload.toString('utf8'));
    } else if (frame.opcode === OPCODE_PING) {
      this.socket.write(encodeFrame(OPCODE_PONG, frame.payload));
    } else if (frame.opcode === OPCODE_CLOSE) {
      this.close();
    }
  }

  sendText(text) {
    if (!this.closed) {
      this.socket.write(encodeFrame(OPCODE_TEXT, Buffer.from(text, 'utf8')));
    }
  }

  close() {
    if (!this.closed) {
      this.closed = true;
      this.socket.end(encodeFrame(OPCODE_CLOSE, Buffer.alloc(0)));
    }
  }
}

// The routing rules of docs/protocol.md §7, without routing by session.
class Signalling {
  constructor() {
    this.peers = new Map(); // id -> {send, close, roles, meta}
    this.sessions = new Map(); // id -> {consumer, producer}
    this.received = []; // every {from, msg} in arrival order, for assertions
    this.connections = 0;
    this.nextId = 1;
  }

  newId(kind) {
    return `${kind}-${this.nextId++}`;
  }

  addPeer(send, close) {
    const id = this.newId('peer');
    this.connections++;
    this.peers.set(id, {send, close, roles: [], meta: null});
    send({type: 'welcome', peerId: id});
    return id;
  }

  // A producer with no socket behind it: it is listed, and what is sent to it
  // only lands in `received` (as from 'server').
  addSilentProducer(meta) {
    const id = this.newId('silent');
    const send = (msg) => this.received.push({from: 'server', to: id, msg});
    this.peers.set(id, {send, close: () => {}, roles: [], meta: null});
    this.setStatus(id, {roles: ['producer'], meta});
    return id;
  }

  sendTo(id, msg) {
    this.peers.get(id)?.send(msg);
  }

  broadcastStatus(id) {
    const {roles, meta} = this.peers.get(id);
    for (const peer of this.peers.values()) {
      if (peer.roles.includes('listener')) {
        peer.send({type: 'peerStatusChanged', peerId: id, roles, meta});
      }
    }
  }

  setStatus(id, msg) {
    const peer = this.peers.get(id);
    peer.roles = msg.roles;
    peer.meta = msg.meta ?? null;
    this.broadcastStatus(id);
  }

  listWithRole(role) {
    const found = [];
    for (const [id, peer] of this.peers) {
      if (peer.roles.includes(role)) {
        found.push({id, meta: peer.meta});
      }
    }
    return found;
  }

  startSession(consumer, producer, offer) {
    if (!this.listWithRole('producer').some((entry) => entry.id === producer)) {
      this.sendTo(consumer, {type: 'error', details: `unknown producer ${producer}`});
      return;
    }

    const sessionId = this.newId('session');
    this.sessions.set(sessionId, {consumer, producer});
    this.sendTo(consumer, {type: 'sessionStarted', peerId: producer, sessionId});
    this.sendTo(producer, {type: 'startSession', peerId: consumer, sessionId,
      offer: offer ?? null});
  }

  otherMember(sessionId, id) {
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    return session.consumer === id ? session.producer : session.consumer;
  }

  // Ends a session as if `from` (a member, or 'server') had asked for it.
  endSession(sessionId, from = 'server') {
    const session = this.sessions.get(sessionId);
    if (!session) return;

    this.sessions.delete(sessionId);
    for (const id of [session.consumer, session.producer]) {
      if (id !== from) {
        this.sendTo(id, {type: 'endSession', sessionId});
      }
    }
  }

  handle(id, text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.sendTo(id, {type: 'error', details: 'message is not JSON'});
      return;
    }
    this.received.push({from: id, msg});

    switch (msg.type) {
    case 'setPeerStatus':
      this.setStatus(id, msg);
      break;
    case 'list':
      this.sendTo(id, {type: 'list', producers: this.listWithRole('producer')});
      break;
    case 'listConsumers':
      this.sendTo(id, {type: 'listConsumers', consumers: this.listWithRole('consumer')});
      break;
    case 'startSession':
      this.startSession(id, msg.peerId, msg.offer);
      break;
    case 'peer':
      this.sendTo(this.otherMember(msg.sessionId, id), msg);
      break;
    case 'endSession':
      this.endSession(msg.sessionId, id);
      break;
    default:
      this.sendTo(id, {type: 'error', details: `unsupported message ${msg.type}`});
    }
  }

  removePeer(id) {
    if (!this.peers.has(id)) {
      return;
    }

    for (const [sessionId, session] of this.sessions) {
      if (session.consumer === id || session.producer === id) {
        this.endSession(sessionId, id);
      }
    }

    const hadRoles = this.peers.get(id).roles.length > 0;
    this.peers.get(id).roles = [];
    if (hadRoles) {
      this.broadcastStatus(id);
    }
    this.peers.delete(id);
  }

  // Closes the WebSocket of every real peer.
  dropAll() {
    for (const peer of this.peers.values()) {
      peer.close();
    }
  }
}

async function serveFile(request, response) {
  const entry = FILES[new URL(request.url, 'http://x').pathname];
  if (!entry) {
    response.writeHead(404, {'content-type': 'text/plain'}).end('not found\n');
    return;
  }

  const body = await readFile(entry[0]);
  response.writeHead(200, {'content-type': entry[1], 'cache-control': 'no-store'});
  response.end(body);
}

function acceptWebSocket(request, socket, signalling, options) {
  const key = request.headers['sec-websocket-key'];
  if (new URL(request.url, 'http://x').pathname !== '/signalling' || !key) {
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    return;
  }

  // As loopback mode does: browsers get in only from a page of this origin.
  const origin = request.headers.origin;
  if (origin && origin !== `http://${request.headers.host}`) {
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }

  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n' +
    `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);

  let id = null;
  const peer = new WebSocketPeer(socket,
    (text) => signalling.handle(id, text),
    () => id && signalling.removePeer(id));

  if (options.refuse) {
    signalling.connections++;
    peer.close();
    return;
  }
  id = signalling.addPeer((msg) => peer.sendText(JSON.stringify(msg)), () => peer.close());
}

// Starts the server on `host` (a port is picked). `options.refuse`, settable
// later, makes it close each new WebSocket at once. Returns
// {url, signallingUrl, signalling, options, close()}.
export async function startFakeServer(host = '127.0.0.1') {
  const signalling = new Signalling();
  const options = {refuse: false};
  const sockets = new Set();

  const server = createServer((request, response) => {
    serveFile(request, response).catch(() => response.writeHead(500).end());
  });
  server.on('upgrade', (request, socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    acceptWebSocket(request, socket, signalling, options);
  });

  await new Promise((resolve) => server.listen(0, host, resolve));
  const base = `${host}:${server.address().port}`;

  return {
    url: `http://${base}/`,
    signallingUrl: `ws://${base}/signalling`,
    signalling,
    options,
    close() {
      for (const socket of sockets) {
        socket.destroy();
      }
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
