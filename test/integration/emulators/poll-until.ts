// The integration suites poll with the same helper as the end-to-end journeys.
export { eventually as pollUntil } from '../../e2e/e2e-support';
