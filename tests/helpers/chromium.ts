/**
 * Headless Chromium for the browser tests: Debian's chromium driven by playwright-core, with a fake
 * camera/microphone whose audio is `micWav` (Chromium loops the file).
 */
import { chromium, type Browser } from 'playwright-core';

/** Launches Chromium with `micWav` as the microphone. */
export function launchChromium(micWav: string): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${micWav}`,
    ],
  });
}
