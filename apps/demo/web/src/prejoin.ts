// The pre-join screen: a camera preview and the microphone, camera and
// speaker pickers. Its stream is what the call sends.

export interface Devices {
  mic: HTMLSelectElement;
  cam: HTMLSelectElement;
  speaker: HTMLSelectElement;
}

/** Why a page cannot use the camera, or undefined when it can. */
export function insecureReason(): string | undefined {
  const media = navigator.mediaDevices as MediaDevices | undefined;
  if (window.isSecureContext && media?.getUserMedia !== undefined) return undefined;
  const here = `${location.protocol}//${location.host}`;
  return `Camera and microphone need a secure page: browsers allow them only over HTTPS or on http://localhost. This page was opened at ${here}. Start the demo with HTTPS=self-signed (or HTTPS_CERT and HTTPS_KEY) and open its https:// address, or open it on the machine that runs it at http://localhost.`;
}

export class Prejoin {
  stream: MediaStream | undefined;
  #starting: Promise<MediaStream> | undefined;

  constructor(
    private readonly preview: HTMLVideoElement,
    private readonly devices: Devices,
    private readonly onError: (error: unknown) => void,
  ) {
    devices.mic.addEventListener('change', () => void this.restart());
    devices.cam.addEventListener('change', () => void this.restart());
  }

  /** The chosen audio output ('' for the system default). */
  get speakerId(): string {
    return this.devices.speaker.value;
  }

  /** Starts the preview (asks for the devices on first use) and fills the pickers. */
  start(): Promise<MediaStream> {
    this.#starting ??= this.#open().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** The stream is the call's now: the preview lets it go without stopping it. */
  handOver(): MediaStream | undefined {
    const stream = this.stream;
    this.stream = undefined;
    this.preview.srcObject = null;
    return stream;
  }

  stop(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.preview.srcObject = null;
  }

  private async restart(): Promise<void> {
    this.stop();
    await this.start().catch(this.onError);
  }

  async #open(): Promise<MediaStream> {
    const { mic, cam } = this.devices;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: mic.value ? { deviceId: { exact: mic.value } } : true,
      video: {
        width: 640,
        height: 480,
        ...(cam.value ? { deviceId: { exact: cam.value } } : {}),
      },
    });
    this.stream = stream;
    this.preview.srcObject = stream;
    this.preview.play().catch(() => undefined);
    await this.#fill(stream);
    return stream;
  }

  // Labels come only once the page may use the devices: fill after getUserMedia.
  async #fill(stream: MediaStream): Promise<void> {
    const all = await navigator.mediaDevices.enumerateDevices();
    const inUse = (kind: 'audio' | 'video') =>
      stream
        .getTracks()
        .find((t) => t.kind === kind)
        ?.getSettings().deviceId ?? '';
    const fill = (
      select: HTMLSelectElement,
      kind: MediaDeviceKind,
      current: string,
      none: string,
    ) => {
      const found = all.filter((d) => d.kind === kind && d.deviceId);
      const options = found.map(
        (d, i) =>
          new Option(d.label || `${kind} ${i + 1}`, d.deviceId, false, d.deviceId === current),
      );
      if (options.length === 0) options.push(new Option(none, ''));
      select.replaceChildren(...options);
      if (current && found.some((d) => d.deviceId === current)) select.value = current;
    };
    fill(this.devices.mic, 'audioinput', inUse('audio'), 'no microphone');
    fill(this.devices.cam, 'videoinput', inUse('video'), 'no camera');
    fill(this.devices.speaker, 'audiooutput', this.devices.speaker.value, 'system default');
  }
}
