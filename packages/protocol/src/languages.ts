/** Languages Liveface lists at `GET /v1/languages` (ISO 639-1 codes plus `multi`). */
export const LANGUAGES: readonly { language: string; code: string }[] = [
  ['Multilingual', 'multi'], ['Arabic', 'ar'], ['Bulgarian', 'bg'], ['Bengali', 'bn'], ['Catalan', 'ca'],
  ['Czech', 'cs'], ['Welsh', 'cy'], ['Danish', 'da'], ['German', 'de'], ['Greek', 'el'], ['English', 'en'],
  ['Spanish', 'es'], ['Estonian', 'et'], ['Persian', 'fa'], ['Finnish', 'fi'], ['Filipino', 'fil'],
  ['French', 'fr'], ['Irish', 'ga'], ['Hebrew', 'he'], ['Hindi', 'hi'], ['Croatian', 'hr'], ['Hungarian', 'hu'],
  ['Indonesian', 'id'], ['Icelandic', 'is'], ['Italian', 'it'], ['Japanese', 'ja'], ['Korean', 'ko'],
  ['Lithuanian', 'lt'], ['Latvian', 'lv'], ['Malay', 'ms'], ['Maltese', 'mt'], ['Norwegian', 'no'],
  ['Dutch', 'nl'], ['Polish', 'pl'], ['Portuguese', 'pt'], ['Romanian', 'ro'], ['Russian', 'ru'],
  ['Slovak', 'sk'], ['Slovenian', 'sl'], ['Serbian', 'sr'], ['Swedish', 'sv'], ['Swahili', 'sw'],
  ['Tamil', 'ta'], ['Thai', 'th'], ['Turkish', 'tr'], ['Ukrainian', 'uk'], ['Urdu', 'ur'],
  ['Vietnamese', 'vi'], ['Chinese', 'zh'],
].map(([language, code]) => ({ language: language!, code: code! }));
