import { EXIT, PaperboyError } from '../errors.ts';

/** The database could not be opened or migrated, or a write the caller relies on did not happen. */
export class StoreError extends PaperboyError {
  constructor(message: string, options?: ErrorOptions) {
    super('STORE', message, EXIT.failed, options);
  }
}
