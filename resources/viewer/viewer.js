// SPDX-License-Identifier: MIT
// The viewer page: draws the frames of the sandbox's browser and sends input back over one
// WebSocket authorised by the token in this page's URL. It can drive nothing but that browser.
'use strict';

const token = new URLSearchParams(location.search).get('token') || '';
const canvas = document.getElementById('screen');
const ctx = canvas.getContext('2d');
const paste = document.getElementById('paste');
const controlLabel = document.getElementById('control');
const notice = document.getElementById('notice');
let mayAct = false;
let viewport = { width: 1280, height: 800 };
let socket = null;

function showNotice(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

function modifiers(e) {
  return (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
}

function send(message) {
  if (mayAct && socket && socket.readyState === WebSocket.OPEN)
    socket.send(JSON.stringify(message));
}

// Canvas pixels are the page's CSS pixels; the element may be scaled to fit the window.
function point(e) {
  const rect = canvas.getBoundingClientRect();
  return {
    x: (e.clientX - rect.left) * (viewport.width / rect.width),
    y: (e.clientY - rect.top) * (viewport.height / rect.height),
  };
}

const buttonNames = ['left', 'middle', 'right', 'back', 'forward'];

function mouse(kind, e) {
  const p = point(e);
  send({ type: 'mouse', event: kind, x: p.x, y: p.y, button: kind === 'move' ? 'none' : (buttonNames[e.button] || 'none'),
         buttons: e.buttons, clickCount: kind === 'move' ? 0 : (e.detail || 1), modifiers: modifiers(e) });
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
}

function draw(blob) {
  createImageBitmap(blob).then((image) => {
    if (canvas.width !== image.width || canvas.height !== image.height) {
      canvas.width = image.width;
      canvas.height = image.height;
    }
    ctx.drawImage(image, 0, 0);
    image.close();
  });
}

function connect() {
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
  socket.onclose = () => showNotice('Disconnected. Reopen the viewer from the app to get a fresh link.');
}

canvas.addEventListener('mousemove', (e) => mouse('move', e));
canvas.addEventListener('mousedown', (e) => { canvas.focus(); mouse('down', e); e.preventDefault(); });
canvas.addEventListener('mouseup', (e) => mouse('up', e));
canvas.addEventListener('contextmenu', (e) => e.preventDefault());
canvas.addEventListener('wheel', (e) => {
  const p = point(e);
  send({ type: 'mouse', event: 'wheel', x: p.x, y: p.y, button: 'none', buttons: e.buttons,
         deltaX: e.deltaX, deltaY: e.deltaY, modifiers: modifiers(e) });
  e.preventDefault();
}, { passive: false });
canvas.addEventListener('keydown', (e) => {
  // Printable characters go as text (any script, IME included); the rest as key events.
  const printable = e.key.length === 1 && !e.ctrlKey && !e.metaKey;
  if (printable) {
    send({ type: 'text', text: e.key });
  } else if (!((e.ctrlKey || e.metaKey) && e.key === 'v')) {
    send({ type: 'key', event: 'down', key: e.key, code: e.code, keyCode: e.keyCode,
           text: e.key === 'Enter' ? '\r' : '', modifiers: modifiers(e) });
  }
  if (!((e.ctrlKey || e.metaKey) && e.key === 'v'))
    e.preventDefault();
});
canvas.addEventListener('keyup', (e) => {
  if (e.key.length !== 1 || e.ctrlKey || e.metaKey)
    send({ type: 'key', event: 'up', key: e.key, code: e.code, keyCode: e.keyCode, modifiers: modifiers(e) });
});
document.addEventListener('paste', (e) => {
  const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
  if (text)
    send({ type: 'text', text });
  e.preventDefault();
  canvas.focus();
});

connect();
