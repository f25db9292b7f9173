/**
 * Phrase structure from the loudness of the avatar's own speech: onsets (phrase starts), pauses and the
 * end of speech. Gaze, blinks and breathing all key off these cues (lipsync research notes §5), so they
 * are detected once, here.
 */
import type { AgentState } from '../audio/types.js';

/** Loudness above which a frame counts as speech (0..1 loudness scale). Hysteresis avoids chatter. */
const VOICE_ON = 0.08;
/** Loudness below which speech is considered to have stopped. */
const VOICE_OFF = 0.04;
/** Silence that separates phrases: a pause this long is a breath/blink/gaze-return point. */
export const PHRASE_PAUSE_MS = 300;

/** Cues of one step. */
export interface SpeechCues {
  /** Voice active now (with hysteresis). */
  speaking: boolean;
  /** Voice started after at least PHRASE_PAUSE_MS of silence (or at the start of talking). */
  phraseStart: boolean;
  /** Silence just reached PHRASE_PAUSE_MS after speech: a phrase ended. */
  pauseStart: boolean;
  /** The agent just stopped talking (state left 'talking') after having spoken. */
  speechEnd: boolean;
  /** Time since the voice last stopped, ms (0 while speaking). */
  silentMs: number;
}

/** Tracks voice activity and phrase boundaries, one call per frame. */
export class SpeechActivity {
  private speaking = false;
  private silentMs = Infinity;
  private spokeInTurn = false;
  private inPhrase = false;
  private wasTalking = false;

  /** Advances one frame. */
  update(state: AgentState, loudness: number, dtMs: number): SpeechCues {
    const talking = state === 'talking';
    let phraseStart = false;
    let pauseStart = false;
    let speechEnd = false;

    if (!talking) {
      speechEnd = this.wasTalking && this.spokeInTurn;
      this.speaking = false;
      this.inPhrase = false;
      this.spokeInTurn = false;
      this.silentMs = Infinity;
    } else {
      const voiced = this.speaking ? loudness > VOICE_OFF : loudness > VOICE_ON;
      if (voiced) {
        if (!this.inPhrase) phraseStart = true;
        this.inPhrase = true;
        this.speaking = true;
        this.spokeInTurn = true;
        this.silentMs = 0;
      } else {
        this.speaking = false;
        const before = this.silentMs;
        this.silentMs += dtMs;
        if (this.inPhrase && before < PHRASE_PAUSE_MS && this.silentMs >= PHRASE_PAUSE_MS) {
          pauseStart = true;
          this.inPhrase = false;
        }
      }
    }
    this.wasTalking = talking;
    return {
      speaking: this.speaking,
      phraseStart,
      pauseStart,
      speechEnd,
      silentMs: this.speaking ? 0 : this.silentMs,
    };
  }
}
