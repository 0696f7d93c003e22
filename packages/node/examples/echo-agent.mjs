// An echo agent: it joins, follows the room's active speaker, and plays what
// that peer says back to the room one second later. Swap the delay line for a
// speech-to-text, a model and a text-to-speech, and it is a voice agent.
//   node examples/echo-agent.mjs http://localhost:3000 demo
import { AudioSource, audioFrames, joinRoom } from '@x/node';

const [origin = 'http://localhost:3000', roomId = 'demo', peerName = 'echo'] =
  process.argv.slice(2);
const tokenUrl = `${origin}/api/token?room=${encodeURIComponent(roomId)}&peer=${encodeURIComponent(peerName)}`;
const { token } = await (await fetch(tokenUrl)).json();
const { room, connection } = await joinRoom({
  url: `${origin.replace(/^http/, 'ws')}/ws?room=${encodeURIComponent(roomId)}`,
  peerName,
  token,
  appData: { displayName: peerName },
});

const voice = new AudioSource({ sampleRate: 48000, channels: 1 });
await room.createProducer(voice.track, {}, { source: 'mic' }).send(room.createTransport('send'));
const receiving = room.createTransport('recv');

/** The frames heard, played back when they are a second old. */
const delay = [];
setInterval(() => {
  while (delay.length > 0 && performance.now() - delay[0].at >= 1000)
    voice.push(delay.shift().samples);
}, 10);

let listening; // the loop of the peer listened to now
room.enableActiveSpeaker();
room.on('activespeaker', async (name, peer) => {
  if (!peer || name === peerName) return;
  const consumer = peer.consumers.find((c) => c.kind === 'audio' && !c.closed);
  if (!consumer) return;
  await listening?.return();
  const track = consumer.track ?? (await consumer.receive(receiving));
  console.log(`listening to ${name}`);
  const frames = audioFrames(track);
  listening = frames;
  for await (const frame of frames) {
    // Down to mono: the first channel of each interleaved pair.
    const mono =
      frame.channels === 1
        ? frame.samples
        : frame.samples.filter((_, i) => i % frame.channels === 0);
    if (frame.sampleRate === 48000) delay.push({ at: performance.now(), samples: mono });
  }
});
process.on('SIGINT', () => {
  voice.close();
  room.leave();
  connection.close();
  process.exit(0);
});
console.log(`${peerName} is in room ${roomId}: it repeats the active speaker a second later.`);
