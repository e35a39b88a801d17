import type { Command } from '../command.ts';
import { auditCommands } from './audit.ts';
import { certCommands } from './cert.ts';
import { keysCommands } from './keys.ts';
import { keystoreCommands } from './keystore.ts';
import { serveCommands } from './serve.ts';

export const commands: Command[] = [...keystoreCommands, ...keysCommands, ...certCommands, ...auditCommands, ...serveCommands];
