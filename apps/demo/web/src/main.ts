// The demo page: a pre-join screen (preview, device pickers, name), then the
// call in the room named in the URL; back to the form on leave or on a join
// that fails, with the reason.
import { Call } from './call.js';
import { autoLayout } from './grid.js';
import { joinErrorText, mediaErrorText, TransportFailedError } from './messages.js';
import { insecureReason, Prejoin } from './prejoin.js';
import { RecordingsView } from './recordings.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const roomId = params.get('room') ?? 'demo';
$('room-label').textContent = `room “${roomId}”`;
$('join-title').textContent = `Join room “${roomId}”`;
const nameInput = $<HTMLInputElement>('name');
nameInput.value = params.get('peer') ?? params.get('name') ?? '';
$<HTMLInputElement>('simulcast').checked = params.get('simulcast') === '1';
// For tests and slow networks: how long a media connection may take (ms).
const connectTimeout = Number(params.get('connectTimeout')) || undefined;
// For tests and networks that need TURN: `iceServers` (a JSON array of
// RTCIceServer) and `iceTransportPolicy=relay` (TURN only) become the room's
// `turnServers` and `iceTransportPolicy`.
const iceServers = iceServersParam(params.get('iceServers'));
const iceTransportPolicy = params.get('iceTransportPolicy') === 'relay' ? 'relay' : undefined;

function iceServersParam(value: string | null): RTCIceServer[] | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (Array.isArray(parsed)) return parsed as RTCIceServer[];
  } catch {
    // reported below
  }
  console.warn('iceServers: not a JSON array of RTCIceServer, ignored');
  return undefined;
}
const status = $('status');
const errorBanner = $('error');

declare global {
  interface Window {
    /** The running call, for the end-to-end tests and the curious. */
    demo?: Call;
  }
}

function showError(e: unknown): void {
  errorBanner.hidden = false;
  errorBanner.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(e);
}

function setStatus(text: string, state: 'ok' | 'bad' | '' = ''): void {
  status.textContent = text;
  status.classList.toggle('ok', state === 'ok');
  status.classList.toggle('bad', state === 'bad');
}

/** A reaction floats up over the call for a few seconds. */
function showReaction(from: string, emoji: string): void {
  const bubble = document.createElement('span');
  bubble.className = 'reaction';
  bubble.textContent = emoji;
  bubble.title = from;
  $('reactions').append(bubble);
  setTimeout(() => bubble.remove(), 3000);
}

// The chat opens over the call; lines that come while it is closed are counted on its button.
const chatPanel = $('chat');
const unread = $('chat-unread');
let unseen = 0;
$('toggle-chat').addEventListener('click', () => {
  chatPanel.hidden = !chatPanel.hidden;
  $('toggle-chat').setAttribute('aria-expanded', String(!chatPanel.hidden));
  if (!chatPanel.hidden) {
    unseen = 0;
    unread.hidden = true;
    $<HTMLInputElement>('chat-input').focus();
  }
});
new MutationObserver((records) => {
  if (!chatPanel.hidden) return;
  for (const r of records)
    for (const node of r.addedNodes)
      if (node instanceof HTMLElement && !node.classList.contains('chat-self')) unseen++;
  unread.textContent = String(unseen);
  unread.hidden = unseen === 0;
}).observe($('chat-lines'), { childList: true });

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('chat-input');
  call?.chat.send(input.value);
  input.value = '';
});
for (const button of document.querySelectorAll<HTMLButtonElement>('#reaction-buttons button'))
  button.addEventListener('click', () => call?.chat.react(button.textContent ?? ''));

const prejoin = new Prejoin(
  $<HTMLVideoElement>('preview'),
  { mic: $('mic-select'), cam: $('cam-select'), speaker: $('speaker-select') },
  (e) => showJoinError(joinErrorText(e, nameInput.value)),
);
const insecure = insecureReason();
if (insecure) {
  $('insecure').textContent = insecure;
  $('insecure').hidden = false;
  $<HTMLButtonElement>('join').disabled = true;
  $('preview-note').textContent = 'no camera on an insecure page';
} else {
  prejoin.start().catch((e: unknown) => showJoinError(joinErrorText(e, nameInput.value)));
}
autoLayout($('tiles'));

function showJoinError(text: string): void {
  const el = $('join-error');
  el.textContent = text;
  el.hidden = text === '';
}

function showForm(): void {
  $('call').hidden = true;
  $('join-panel').hidden = false;
  document.body.classList.remove('in-call');
  if (!insecure) prejoin.start().catch((e: unknown) => showJoinError(joinErrorText(e, '')));
}

let call: Call | undefined;
let recordings: RecordingsView | undefined;

async function join(): Promise<void> {
  const name = nameInput.value.trim();
  if (!name || call || insecure) return;
  showJoinError('');
  errorBanner.hidden = true;
  setStatus('joining…');
  $<HTMLButtonElement>('join').disabled = true;
  let current: Call | undefined;
  try {
    // `send=0` (benchmarks with many pages): join to watch, camera and microphone off.
    // Otherwise the call joins while the browser may still be starting the
    // camera (autojoin): it publishes once the stream is there.
    const stream =
      params.get('send') === '0'
        ? new MediaStream()
        : (prejoin.stream ??
          prejoin.start().then((started) => {
            if (call === current) prejoin.handOver();
            return started;
          }));
    current = new Call({
      roomId,
      name,
      container: $('tiles'),
      simulcast: $<HTMLInputElement>('simulcast').checked,
      stream,
      speakerId: prejoin.speakerId,
      transportConnectTimeout: connectTimeout,
      turnServers: iceServers,
      iceTransportPolicy,
      chatList: $('chat-lines'),
      onReaction: showReaction,
    });
    window.demo = current;
    call = current;
    prejoin.handOver();
    $('join-panel').hidden = true;
    $('call').hidden = false;
    document.body.classList.add('in-call');
    resetControls();
    const c = current;
    c.room.on('close', (originator, _appData, reason) => {
      if (call !== c || originator !== 'remote') return;
      // The server ended the call (shutdown, kicked, session lost): back to
      // the form, saying why.
      endCall();
      setStatus(`closed: ${reason ?? 'unspecified'}`, 'bad');
      showJoinError(`The server ended the call (${reason ?? 'no reason given'}).`);
    });
    current.room.on('transportfailed', (_transport, error) => {
      if (call !== current) return;
      setStatus('no media connection', 'bad');
      showError(new TransportFailedError(error.reason, error.transportId, mediaErrorText(error)));
    });
    await current.join();
    // A node of a cluster that drains sends the call to another node: say so while it moves.
    current.connection?.on('redirected', (url) => {
      if (call === c) setStatus(`moving to ${new URL(url).host}…`);
    });
    current.connection?.on('reconnected', () => {
      if (call === c && c.room.joined) setStatus(`joined as ${name}`, 'ok');
    });
  } catch (error) {
    // The server closed the room meanwhile: its close handler said so.
    if (current?.room.closed && call !== current) return;
    // Back to the form, with the reason; nothing of the failed call stays.
    if (call === current) endCall();
    else current?.leave();
    setStatus('not joined');
    showJoinError(joinErrorText(error, name));
    // Shown on the form; logged for the curious, not as a problem.
    console.info('join failed:', error);
    return;
  } finally {
    $<HTMLButtonElement>('join').disabled = false;
  }
  setStatus('connecting media…');
  wireRoom(current);
  current
    .mediaConnected()
    .then(() => {
      if (call === current && current.room.joined) setStatus(`joined as ${name}`, 'ok');
    })
    // transportfailed already showed it.
    .catch(() => undefined);
}

/** What the page shows of the room: the recording badge and the peers one can record. */
function wireRoom(c: Call): void {
  recordings?.dispose();
  recordings = new RecordingsView($('recordings'), $('record'), $('record-peer'), c.token);
  const view = recordings;
  const badge = $('recording-badge');
  const showRecording = () => {
    const { active, peerNames } = c.room.recording;
    badge.hidden = !active;
    badge.textContent = active ? `● Recording ${peerNames.join(', ')}` : '';
  };
  c.room.on('recording', showRecording);
  c.room.on('close', () => {
    badge.hidden = true;
  });
  showRecording();
  const peers = () => view.setPeers([c.name, ...c.room.peers.map((p) => p.name)]);
  peers();
  c.room.on('newpeer', (peer) => {
    peers();
    peer.once('close', peers);
  });
  for (const peer of c.room.peers) peer.once('close', peers);
}

function resetControls(): void {
  $('toggle-mic').textContent = 'Mute mic';
  $('toggle-cam').textContent = 'Stop camera';
  $('share-screen').textContent = 'Share screen';
  for (const id of ['toggle-mic', 'toggle-cam', 'share-screen', 'record'])
    $(id).classList.remove('active');
  $<HTMLInputElement>('simulcast-live').checked = $<HTMLInputElement>('simulcast').checked;
  $<HTMLInputElement>('stats').checked = false;
}

$('toggle-mic').addEventListener('click', (e) => {
  if (!call) return;
  const paused = call.toggleMic();
  (e.currentTarget as HTMLElement).textContent = paused ? 'Unmute mic' : 'Mute mic';
  (e.currentTarget as HTMLElement).classList.toggle('active', paused);
});
$('toggle-cam').addEventListener('click', (e) => {
  if (!call) return;
  const paused = call.toggleCam();
  (e.currentTarget as HTMLElement).textContent = paused ? 'Start camera' : 'Stop camera';
  (e.currentTarget as HTMLElement).classList.toggle('active', paused);
});
$('switch-cam').addEventListener('click', () => call?.switchCamera().catch(showError));
$('share-screen').addEventListener('click', (e) => {
  const button = e.currentTarget as HTMLElement;
  if (!call) return;
  const c = call;
  const sync = () => {
    button.textContent = c.screen ? 'Stop sharing' : 'Share screen';
    button.classList.toggle('active', Boolean(c.screen));
  };
  if (c.screen) {
    c.stopScreenShare();
    sync();
    return;
  }
  c.startScreenShare()
    .then(() => {
      sync();
      c.screen?.once('close', sync);
    })
    // A person who cancels the browser's picker is not an error.
    .catch((error: unknown) => {
      if ((error as Error).name !== 'NotAllowedError') showError(error);
    });
});
$<HTMLInputElement>('simulcast-live').addEventListener('change', (e) => {
  call?.setSimulcast((e.target as HTMLInputElement).checked).catch(showError);
});
$<HTMLInputElement>('stats').addEventListener('change', (e) =>
  call?.setStats((e.target as HTMLInputElement).checked),
);
/** Ends the call on this page (left, refused or closed by the server) and shows the form. */
function endCall(): void {
  call?.leave();
  call = undefined;
  recordings?.dispose();
  recordings = undefined;
  errorBanner.hidden = true;
  showForm();
}

$('leave').addEventListener('click', () => {
  endCall();
  setStatus('left');
});
$('speaker-select').addEventListener('change', () => void call?.setSpeaker(prejoin.speakerId));

// Copy the room's link (without this person's name) to share it.
$('copy-link').addEventListener('click', async () => {
  const link = `${location.origin}${location.pathname}?room=${encodeURIComponent(roomId)}`;
  const toast = $('copied');
  try {
    await navigator.clipboard.writeText(link);
    toast.textContent = 'Link copied';
  } catch {
    // No clipboard (an insecure page): show it to copy by hand.
    toast.textContent = link;
  }
  toast.dataset.link = link;
  toast.hidden = false;
  setTimeout(() => {
    toast.hidden = true;
  }, 4000);
});

// Leave cleanly when the tab goes: the others see this peer go at once.
window.addEventListener('pagehide', () => call?.leave());

$<HTMLFormElement>('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  join().catch(showError);
});
if (params.get('autojoin') === '1' && nameInput.value) join().catch(showError);
