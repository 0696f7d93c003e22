// One process of receiving bots (@x/node): `count` bots join the room, each
// receives the first video of the room and decodes every frame (I420, as an
// app that looks at frames would). It reports, when asked on stdin, the
// frames each bot decoded so far. Run by bots.ts.
//   node receiver.mjs <url> <count>
import { createInterface } from 'node:readline';
import { joinRoom, videoFrames } from '@x/node';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const frames = new Array(count).fill(0);
let size = '';
const rooms = [];

async function bot(i) {
  const { room, connection } = await joinRoom({ url, peerName: `bot-${process.pid}-${i}` });
  rooms.push({ room, connection });
  const receiving = room.createTransport('recv');
  const take = async (consumer) => {
    if (consumer.kind !== 'video') return;
    for await (const frame of videoFrames(await consumer.receive(receiving))) {
      if (frame.data.byteLength > 0) frames[i]++;
      size = `${frame.width}x${frame.height}`;
    }
  };
  const watch = (peer) => {
    if (!peer.name.startsWith('publisher')) return;
    peer.consumers.forEach(take);
    peer.on('newconsumer', take);
  };
  room.peers.forEach(watch);
  room.on('newpeer', watch);
}

await Promise.all(Array.from({ length: count }, (_, i) => bot(i)));
console.log(JSON.stringify({ ready: true }));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'frames') console.log(JSON.stringify({ frames, size }));
  if (line === 'exit') {
    for (const { room, connection } of rooms) {
      room.leave();
      connection.close();
    }
    process.exit(0);
  }
});
