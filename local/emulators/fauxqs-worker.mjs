// Runs fauxqs inside a worker thread. fauxqs is an ES module only package, and code loaded by
// Jest (CommonJS in a vm context) cannot `import()` it; a worker thread has Node's own loader, so
// the emulator runs in-process, on its own event loop, wherever the runtime itself runs.
//
// fauxqs builds queue URLs as `http://sqs.<region>.localhost:<port>/...` by default; `*.localhost`
// names do not resolve on every machine, and the SDK's SQS client sends requests to the QueueUrl's
// host whenever it differs from the client's endpoint. With an empty host fauxqs uses the request's
// Host header instead, so queue URLs share the endpoint's origin (`http://127.0.0.1:<port>/...`).
// That needs the stores, which fauxqs's `buildApp` accepts but its package does not export: they
// are loaded from files next to the resolved entry point.
import { parentPort, workerData } from 'node:worker_threads';

const post = (message) => parentPort.postMessage(message);

async function main() {
  const entry = import.meta.resolve('fauxqs');
  const { buildApp } = await import(entry);
  const { SqsStore } = await import(new URL('./sqs/sqsStore.js', entry).href);
  const { SnsStore } = await import(new URL('./sns/snsStore.js', entry).href);
  const { S3Store } = await import(new URL('./s3/s3Store.js', entry).href);

  const sqsStore = new SqsStore();
  sqsStore.host = '';
  const app = buildApp({
    logger: false,
    defaultRegion: workerData.region,
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() },
  });
  if (workerData.log) {
    app.addHook('onResponse', (request, reply, done) => {
      const target = request.headers['x-amz-target'];
      const action =
        typeof target === 'string'
          ? target.replace(/^AmazonSQS\./, 'SQS ')
          : request.body && typeof request.body === 'object' && typeof request.body.Action === 'string'
            ? `SNS ${request.body.Action}`
            : `${request.method} ${request.url}`;
      post({ type: 'log', message: `${action} -> ${reply.statusCode}` });
      done();
    });
  }
  await app.listen({ port: workerData.port, host: workerData.host });
  const address = app.server.address();
  post({ type: 'ready', port: typeof address === 'object' && address !== null ? address.port : workerData.port });

  parentPort.on('message', (message) => {
    if (message && message.type === 'stop') {
      app.close().then(
        () => post({ type: 'stopped' }),
        (error) => post({ type: 'stopped', error: String(error && error.stack ? error.stack : error) }),
      );
    }
  });
}

main().catch((error) => {
  post({ type: 'fatal', message: error && error.message ? error.message : String(error), code: error && error.code });
});
