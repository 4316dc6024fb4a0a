// `npm start`: the dispatch server on its embedded defaults, or on the
// production services named in the environment (see the README).
import { ConfigError, readConfig, startServer } from '../src/index.ts';
import { createLogger } from '../src/log.ts';

const log = createLogger();
try {
  const server = await startServer(readConfig());
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.stdout.write(
    `Dispatch server for ${server.city.name} on ${server.url}\n`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${err.message}\n`);
    process.exit(2);
  }
  log.fatal({ err }, 'dispatch server failed to start');
  process.exit(1);
}
