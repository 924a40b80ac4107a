import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { logger } from '../shared/logger';
import { createAdmission } from './admission';
import { requireApiKey, sessionRouter } from './auth';
import { hostGuard } from './host-guard';
import { createSessionStore } from './sessions';
import type { ApiContext, ApiDeps } from './context';
import { renderDocsPage } from './docs-page';
import { errorHandler, notFoundHandler } from './error-handler';
import { createMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { dicomwebRouter } from './routes/dicomweb/dicomweb-router';
import { healthRouter } from './routes/health-router';
import { jobsRouter } from './routes/jobs-router';
import { studiesRouter } from './routes/studies-router';
import { upscaleRouter } from './routes/upscale-router';

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>medsr</title></head>
<body style="font:15px system-ui,sans-serif;max-width:720px;margin:3em auto">
<h1>medsr</h1><p>The viewer bundle is not built (<code>dist/viewer/</code> is missing).</p>
<p>The API runs: see <a href="/api/docs">/api/docs</a> and <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<p><small>Derived images are for research, not for diagnosis.</small></p></body></html>`;

/**
 * helmet's defaults, less `upgrade-insecure-requests`: the server speaks plain HTTP (on a LAN,
 * behind a plain-HTTP proxy), and that directive made browsers fetch viewer.js and viewer.css
 * over https from any host name but localhost, leaving the viewer blank.
 */
const CSP_DIRECTIVES = {
  'img-src': ["'self'", 'data:', 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'upgrade-insecure-requests': null,
};

/** Only the configured origin may call from a browser; with none configured, no CORS at all. */
function cors(origin: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!origin) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET,POST,DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization,Content-Type,Accept');
      res.status(204).end();
      return;
    }
    next();
  };
}

/** The express app: thin routes over the injected services, one error handler. */
export function createApp(deps: ApiDeps): Express {
  const log = deps.log ?? logger().child({ component: 'api' });
  const metrics = createMetrics(() => deps.queue.depth(), () => deps.lifecycle.diskUsage());
  const admission = createAdmission({ concurrency: deps.syncConcurrency, maxWaiting: deps.config.maxQueue });
  const ctx: ApiContext = { ...deps, log, metrics, admission };
  const openapi = buildOpenApiDocument(readVersion());
  const docsHtml = renderDocsPage(openapi as unknown as Record<string, unknown>);

  const app = express();
  app.locals.metrics = metrics; // the composition root feeds job timings into the same registry
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet({ contentSecurityPolicy: { directives: CSP_DIRECTIVES } }));
  app.use(metrics.middleware);
  app.use(cors(deps.config.corsOrigin));
  app.use(hostGuard({ apiKey: deps.config.apiKey, allowedHosts: deps.config.allowedHosts, corsOrigin: deps.config.corsOrigin }));
  app.use(healthRouter(ctx));
  app.get('/api/openapi.json', (_req, res) => void res.json(openapi));
  app.get('/api/docs', (_req, res) => void res.type('html').send(docsHtml));

  const sessions = createSessionStore({ ttlSeconds: Math.round(deps.config.sessionHours * 3600), ...(deps.now ? { now: deps.now } : {}) });
  app.use('/api/v1', sessionRouter(deps.config.apiKey, sessions)); // before the key check: it is how a browser signs in
  const api = express.Router();
  api.use(requireApiKey(deps.config.apiKey, sessions));
  api.use(upscaleRouter(ctx)); // before the JSON parser: its body is DICOM
  api.use('/dicomweb', dicomwebRouter(ctx)); // the same DICOMweb for the viewer, which holds the session cookie
  api.use(express.json({ limit: '1mb' }));
  api.use(studiesRouter(ctx));
  api.use(jobsRouter(ctx));
  app.use('/api/v1', api);
  // DICOMweb (OHIF, dicomweb-client, PACS): Bearer key like the API when one is set
  app.use('/dicomweb', requireApiKey(deps.config.apiKey, sessions), dicomwebRouter(ctx));

  if (deps.viewerDir && fs.existsSync(path.join(deps.viewerDir, 'index.html'))) {
    app.use(express.static(deps.viewerDir, { index: 'index.html', maxAge: '1h' }));
  } else {
    app.get('/', (_req, res) => void res.type('html').send(PLACEHOLDER));
  }

  app.use(notFoundHandler);
  app.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    const code = (err as { code?: unknown }).code;
    metrics.errors.inc({ code: typeof code === 'string' ? code : 'internal' });
    next(err);
  });
  app.use(errorHandler(log));
  return app;
}

function readVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
