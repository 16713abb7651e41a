import { defineConfig } from 'vite';
import { xpeftWeb } from 'xpeft-web/vite';

// The page serves the model from its own /models/all-MiniLM-L6-v2/ folder (X-PEFT Web's default).
export default defineConfig({ plugins: [xpeftWeb()], build: { target: 'es2022' } });
