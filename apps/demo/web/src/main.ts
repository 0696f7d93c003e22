// The demo page: join the room named in the URL, see everyone, record.
import { Call } from './call.js';
import { RecordingsView } from './recordings.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const roomId = params.get('room') ?? 'demo';
$('room-label').textContent = `room “${roomId}”`;
const nameInput = $<HTMLInputElement>('name');
nameInput.value = params.get('peer') ?? params.get('name') ?? '';
$<HTMLInputElement>('simulcast').checked = params.get('simulcast') === '1';

const error = (e: unknown) => {
  const el = $('error');
  el.hidden = false;
  el.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(e);
};

declare global {
  interface Window {
    /** The running call, for the end-to-end tests and the curious. */
    demo?: Call;
  }
}

async function join(): Promise<void> {
  const name = nameInput.value.trim();
  if (!name) return;
  const simulcast = $<HTMLInputElement>('simulcast').checked;
  const call = new Call(roomId, name, $('tiles'), simulcast);
  window.demo = call;
  $('join-panel').hidden = true;
  $('call').hidden = false;
  $<HTMLInputElement>('simulcast-live').checked = simulcast;
  const status = $('status');
  call.room.on('close', (_originator, _appData, reason) => {
    status.textContent = reason ? `closed: ${reason}` : 'left';
    status.classList.remove('ok');
  });
  // Leave cleanly when the tab goes: the others see this peer go at once.
  window.addEventListener('pagehide', () => call.leave());
  await call.join();
  status.textContent = `joined as ${name}`;
  status.classList.add('ok');

  const recordings = new RecordingsView($('recordings'), $('record'), $('record-peer'), call.token);
  // Everyone in the room sees when it is being recorded.
  const badge = $('recording-badge');
  const showRecording = () => {
    const { active, peerNames } = call.room.recording;
    badge.hidden = !active;
    badge.textContent = active ? `● Recording ${peerNames.join(', ')}` : '';
  };
  call.room.on('recording', showRecording);
  showRecording();
  const peers = () => recordings.setPeers([name, ...call.room.peers.map((p) => p.name)]);
  peers();
  call.room.on('newpeer', (peer) => {
    peers();
    peer.once('close', peers);
  });
  for (const peer of call.room.peers) peer.once('close', peers);

  const micButton = $('toggle-mic');
  micButton.addEventListener('click', () => {
    const paused = call.toggleMic();
    micButton.textContent = paused ? 'Unmute mic' : 'Mute mic';
    micButton.classList.toggle('active', paused);
  });
  const camButton = $('toggle-cam');
  camButton.addEventListener('click', () => {
    const paused = call.toggleCam();
    camButton.textContent = paused ? 'Start camera' : 'Stop camera';
    camButton.classList.toggle('active', paused);
  });
  $('switch-cam').addEventListener('click', () => call.switchCamera().catch(error));
  $<HTMLInputElement>('simulcast-live').addEventListener('change', (e) => {
    call.setSimulcast((e.target as HTMLInputElement).checked).catch(error);
  });
  $<HTMLInputElement>('stats').addEventListener('change', (e) =>
    call.setStats((e.target as HTMLInputElement).checked),
  );
  $('leave').addEventListener('click', () => {
    call.leave();
    $('call').hidden = true;
    $('join-panel').hidden = false;
  });
}

$<HTMLFormElement>('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  join().catch(error);
});
if (params.get('autojoin') === '1' && nameInput.value) join().catch(error);
