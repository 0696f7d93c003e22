// A bot that publishes a test pattern and a tone: the shape of a voice agent
// without any model. Run against the demo (pnpm demo), which hands out tokens:
//   node examples/tone-and-pattern-bot.mjs http://localhost:3000 demo
import { joinRoom, TestPatternSource, ToneSource } from '@x/node';

const [origin = 'http://localhost:3000', roomId = 'demo', peerName = 'pattern-bot'] =
  process.argv.slice(2);
const tokenUrl = `${origin}/api/token?room=${encodeURIComponent(roomId)}&peer=${encodeURIComponent(peerName)}`;
const { token } = await (await fetch(tokenUrl)).json();
const { room, connection } = await joinRoom({
  url: `${origin.replace(/^http/, 'ws')}/ws?room=${encodeURIComponent(roomId)}`,
  peerName,
  token,
  appData: { displayName: peerName },
});
const tone = new ToneSource({ frequency: 440, amplitude: 0.2 });
const pattern = new TestPatternSource({ width: 640, height: 360, fps: 30 });
const transport = room.createTransport('send');
await room.createProducer(tone.track, {}, { source: 'mic' }).send(transport);
await room.createProducer(pattern.track, {}, { source: 'cam' }).send(transport);
console.log(`${peerName} is in room ${roomId}: a 440 Hz tone and moving bars. Ctrl-C to leave.`);
process.on('SIGINT', () => {
  tone.close();
  pattern.close();
  room.leave();
  connection.close();
  process.exit(0);
});
