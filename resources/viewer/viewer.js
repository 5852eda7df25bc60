// SPDX-License-Identifier: MIT
// The viewer page: draws the frames of the sandbox's browser and sends input back over one
// WebSocket authorised by the token in this page's URL. It can drive nothing but that browser.
// Its state goes into its own URL fragment (#connecting, #live, #disconnected, by replaceState)
// so that the app's view can follow it without any bridge between page and app.
'use strict';

const params = new URLSearchParams(location.search);
const token = params.get('token') || '';
const embedded = params.get('embed') === '1';
const main = document.querySelector('main');
const canvas = document.getElementById('screen');
const ctx = canvas.getContext('2d');
const keys = document.getElementById('keys');
const controlLabel = document.getElementById('control');
const notice = document.getElementById('notice');
let mayAct = false;
let viewport = { width: 1280, height: 800 };
let socket = null;
let state = '';
let receivedFrames = 0;
let drawnFrame = 0;
let composing = false;
const keysDown = new Set(); // keys whose keydown went out as a key event, so their keyup does too
const maxTextChunk = 8000;  // code points per text message: far below the server's 64 KiB
const maxLatencies = 1000;

// For benchmarks: frame counts and input-to-frame latencies. Nothing secret.
const stats = { frames: 0, firstFrameAt: null, lastFrameAt: null, inputToFrameMs: [] };
window.banataViewerStats = stats;
let pendingInputs = [];

document.body.classList.toggle('embed', embedded);

function setState(next) {
  if (state === next)
    return;
  state = next;
  history.replaceState(null, '', '#' + next);
}

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function modifiers(e) {
  return (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
}

function send(message) {
  if (!(mayAct && socket && socket.readyState === WebSocket.OPEN))
    return false;
  socket.send(JSON.stringify(message));
  return true;
}

// An input that went out: the next frame drawn after it measures the round trip.
function sendInput(message) {
  if (send(message) && pendingInputs.length < 100)
    pendingInputs.push(performance.now());
}

function sendText(text) {
  const points = Array.from(text); // never split a surrogate pair
  for (let i = 0; i < points.length; i += maxTextChunk)
    sendInput({ type: 'text', text: points.slice(i, i + maxTextChunk).join('') });
}

// The size of what is drawn: the last frame's, or the viewport's before the first frame.
function contentSize() {
  return stats.frames ? { width: canvas.width, height: canvas.height } : viewport;
}

// Fit the canvas to the window keeping its aspect ratio (embedded: also scaled up; in a browser
// tab only down, as a plain image would be).
function layout() {
  const size = contentSize();
  if (!size.width || !size.height || !main.clientWidth || !main.clientHeight)
    return;
  let scale = Math.min(main.clientWidth / size.width, main.clientHeight / size.height);
  if (!embedded)
    scale = Math.min(scale, 1);
  canvas.style.width = Math.floor(size.width * scale) + 'px';
  canvas.style.height = Math.floor(size.height * scale) + 'px';
}

// A point on the canvas in the remote page's CSS pixels. A frame is the page's visible area at
// one frame pixel per CSS pixel (frames are at most the viewport's size, which the page never
// exceeds); the page's viewport can be smaller than the browser window the meta describes, so
// the frame, not the meta, is the measure. The canvas itself is scaled to fit.
function point(e) {
  const rect = canvas.getBoundingClientRect();
  const size = contentSize();
  return {
    x: (e.clientX - rect.left) * (size.width / rect.width),
    y: (e.clientY - rect.top) * (size.height / rect.height),
  };
}

const buttonNames = ['left', 'middle', 'right', 'back', 'forward'];

function mouse(kind, e) {
  const p = point(e);
  const message = { type: 'mouse', event: kind, x: p.x, y: p.y,
                    button: kind === 'move' ? 'none' : (buttonNames[e.button] || 'none'),
                    buttons: e.buttons, clickCount: kind === 'move' ? 0 : (e.detail || 1), modifiers: modifiers(e) };
  if (kind === 'down')
    sendInput(message);
  else
    send(message);
}

function applyMeta(meta) {
  mayAct = !!meta.mayAct;
  viewport = meta.viewport || viewport;
  const who = meta.controlMode === 'human' ? 'human' + (meta.controller ? ': ' + meta.controller : '')
            : meta.controlMode === 'shared' ? 'shared (agent and you)' : 'agent — watch only';
  controlLabel.textContent = who;
  controlLabel.className = 'control ' + (meta.controlMode || 'ai');
  canvas.classList.toggle('watch', !mayAct);
  document.getElementById('title').textContent = meta.title || '';
  document.getElementById('url').textContent = meta.url || '';
  document.title = (meta.title || 'Banata') + ' — live browser';
  if (meta.status && meta.status !== 'running')
    showNotice('Browser ' + meta.status + (meta.error ? ': ' + meta.error : ''));
  else
    showNotice('');
  layout();
}

function frameDrawn() {
  const now = performance.now();
  stats.frames++;
  if (stats.firstFrameAt === null)
    stats.firstFrameAt = now;
  stats.lastFrameAt = now;
  for (const at of pendingInputs)
    stats.inputToFrameMs.push(now - at);
  pendingInputs = [];
  if (stats.inputToFrameMs.length > maxLatencies)
    stats.inputToFrameMs.splice(0, stats.inputToFrameMs.length - maxLatencies);
  if (state === 'connecting')
    setState('live');
}

function draw(blob) {
  const number = ++receivedFrames;
  createImageBitmap(blob).then((image) => {
    if (number < drawnFrame) { // decoded after a newer frame: already out of date
      image.close();
      return;
    }
    drawnFrame = number;
    const resized = canvas.width !== image.width || canvas.height !== image.height;
    if (resized) {
      canvas.width = image.width;
      canvas.height = image.height;
    }
    ctx.drawImage(image, 0, 0);
    image.close();
    canvas.classList.add('drawn');
    frameDrawn();
    if (resized || stats.frames === 1)
      layout();
  }).catch(() => {}); // a frame that does not decode is skipped; the next one replaces it
}

function connect() {
  setState('connecting');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(scheme + '//' + location.host + '/v1/viewer/socket?token=' + encodeURIComponent(token));
  socket.binaryType = 'blob';
  socket.onmessage = (e) => {
    if (typeof e.data === 'string') {
      const message = JSON.parse(e.data);
      if (message.type === 'meta')
        applyMeta(message);
    } else {
      draw(e.data);
    }
  };
  socket.onclose = () => {
    setState('disconnected');
    if (!embedded) // embedded, the app says so and fetches a fresh link itself
      showNotice('Disconnected. Reopen the viewer from the app to get a fresh link.');
  };
}

// The hidden textarea holds the keyboard focus: typed characters, IME compositions and pastes
// arrive there as text in any script, whatever the key events say about them.
function focusKeys() {
  if (document.activeElement !== keys)
    keys.focus({ preventScroll: true });
}

function isShortcut(e) {
  return (e.ctrlKey || e.metaKey) && !(e.ctrlKey && e.altKey); // Ctrl+Alt is AltGr on some layouts
}

// By key or by physical key: a synthetic event may lack the code, a non-Latin layout the key.
function isPaste(e) {
  return (isShortcut(e) && (e.code === 'KeyV' || e.key === 'v' || e.key === 'V')) || (e.shiftKey && e.key === 'Insert');
}

function keyMessage(kind, e) {
  return { type: 'key', event: kind, key: e.key, code: e.code, keyCode: e.keyCode,
           text: kind === 'down' && e.key === 'Enter' ? '\r' : '', modifiers: modifiers(e) };
}

document.addEventListener('keydown', (e) => {
  focusKeys(); // before the character is inserted, so it lands in the textarea
  if (e.isComposing || e.keyCode === 229 || isPaste(e))
    return; // the IME owns the key, or the browser fires 'paste' with the operator's clipboard
  // Named keys (Enter, arrows, Backspace, F5, modifiers…) and shortcuts go as key events. A
  // character goes as text from the textarea: e.key is "Unidentified" or "Dead" for some.
  const named = e.key.length > 1 && e.key !== 'Unidentified' && e.key !== 'Dead' && e.key !== 'Process';
  if (!named && !isShortcut(e))
    return;
  sendInput(keyMessage('down', e));
  keysDown.add(e.code || e.key);
  e.preventDefault();
}, true);

document.addEventListener('keyup', (e) => {
  if (keysDown.delete(e.code || e.key))
    send(keyMessage('up', e));
}, true);

keys.addEventListener('beforeinput', (e) => {
  if (e.inputType === 'insertText' && e.data) {
    sendText(e.data);
    e.preventDefault(); // the textarea stays empty: nothing is sent twice
  } else if (!e.inputType.startsWith('insertComposition')) {
    e.preventDefault(); // line breaks and deletions went as key events, pastes through 'paste'
  }
});
keys.addEventListener('compositionstart', () => { composing = true; });
keys.addEventListener('compositionend', (e) => {
  composing = false;
  if (e.data)
    sendText(e.data);
  keys.value = '';
});
keys.addEventListener('input', (e) => {
  // Text that got in without a cancellable beforeinput: send it once, then forget it.
  if (composing || e.isComposing || !keys.value)
    return;
  sendText(keys.value);
  keys.value = '';
});

document.addEventListener('paste', (e) => {
  const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
  if (text)
    sendText(text);
  e.preventDefault();
  focusKeys();
});

canvas.addEventListener('mousemove', (e) => mouse('move', e));
canvas.addEventListener('mousedown', (e) => { focusKeys(); mouse('down', e); e.preventDefault(); });
canvas.addEventListener('mouseup', (e) => mouse('up', e));
canvas.addEventListener('contextmenu', (e) => e.preventDefault());
canvas.addEventListener('wheel', (e) => {
  const p = point(e);
  send({ type: 'mouse', event: 'wheel', x: p.x, y: p.y, button: 'none', buttons: e.buttons,
         deltaX: e.deltaX, deltaY: e.deltaY, modifiers: modifiers(e) });
  e.preventDefault();
}, { passive: false });
window.addEventListener('focus', focusKeys);
window.addEventListener('resize', layout);

layout();
focusKeys();
connect();
