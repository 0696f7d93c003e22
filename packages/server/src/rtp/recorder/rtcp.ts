// The two RTCP packets the Recorder sends to its own ffmpeg. ffmpeg's RTP
// demuxer drops any datagram shorter than 12 bytes (an RTP header) before it
// looks at RTCP, which decides their sizes.

/**
 * An RTCP BYE (RFC 3550 §6.6) for one SSRC, with the reason "end" so that it
 * is 12 bytes long. ffmpeg's SDP input ends (EOF: the muxer flushes and
 * writes cues and duration) once it has read as many BYEs as it has streams,
 * even while no media flows.
 */
export function rtcpBye(ssrc: number): Buffer {
  const packet = Buffer.from([0x81, 203, 0, 2, 0, 0, 0, 0, 3, 0x65, 0x6e, 0x64]);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

/**
 * An RTCP receiver report without report blocks (8 bytes): ffmpeg reads it
 * and drops it, but any datagram resets the silence count of its input
 * (`-listen_timeout`), so that a paused or muted source does not end the
 * recording while the Recorder lives.
 */
export function rtcpKeepalive(ssrc: number): Buffer {
  const packet = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 0]);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}
