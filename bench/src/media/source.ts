// The synthetic video source shared by the sender and the measurements:
// 30 frames a second, 6 packets of 1,100 bytes each (≈1.6 Mbps).
export const FPS = 30;
export const PACKETS_PER_FRAME = 6;
export const PACKET_SIZE = 1100;
export const PACKETS_PER_SECOND = FPS * PACKETS_PER_FRAME;
/** A key frame every second: a new consumer starts forwarding at the next one. */
export const KEY_FRAME_EVERY = FPS;
