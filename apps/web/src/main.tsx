import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClients } from './lib/trpc';
import './styles.css';

const clients = createClients({
  origin: window.location.origin,
  wsOrigin: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}`,
});
window.addEventListener('online', () => clients.tracker.setBrowserOnline(true));
window.addEventListener('offline', () => clients.tracker.setBrowserOnline(false));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App clients={clients} />
  </StrictMode>,
);
