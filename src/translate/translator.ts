import { EXIT, PaperboyError } from '../errors.ts';

// The one seam between the translate stage and a model provider: a prompt goes in, text and token counts come out.
// The OpenAI-compatible implementation lives in openai-translator.ts; tests can also supply their own.

export interface ChatRequest {
  system: string;
  user: string;
}

export interface ChatReply {
  content: string;
  tokensIn: number;
  tokensOut: number;
  /** `stop`, `length` (cut off at the token limit), …; null when the provider does not say. */
  finishReason: string | null;
  /** HTTP requests this reply took, retries included. */
  attempts: number;
}

export interface Translator {
  /** The model name as the provider spells it: part of the translation cache key. */
  readonly model: string;
  /** Where requests go (for the report; never includes the key). */
  readonly endpoint: string;
  complete(request: ChatRequest): Promise<ChatReply>;
}

/** A request that failed for good (after the retries, or at once for errors a retry cannot fix). */
export class TranslatorError extends PaperboyError {
  /** HTTP requests spent on it. */
  readonly attempts: number;
  constructor(message: string, attempts: number, options?: ErrorOptions) {
    super('TRANSLATE', message, EXIT.failed, options);
    this.attempts = attempts;
  }
}
