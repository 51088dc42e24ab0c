import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The Powertools Logger singleton every module of a function imports. Service name and level come
 * from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL, which Powertools reads itself. Never log
 * raw e-mail addresses or phone numbers: mask them with `pii.ts`.
 */
export const logger = new Logger();
