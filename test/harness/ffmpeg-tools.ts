/** Runs Debian's ffmpeg and ffprobe for the harness, with a clear error when they are missing. */
import { execFile, spawn } from 'node:child_process';

/** What to do when ffmpeg or ffprobe is not on PATH. */
export const INSTALL_HINT = "install Debian's ffmpeg: apt-get install -y ffmpeg";

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/** Runs `tool args` to completion; rejects with the tail of stderr on a non-zero exit. */
export function runTool(tool: 'ffmpeg' | 'ffprobe', args: readonly string[], opts: { cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve({ stdout, stderr });
      reject(toolError(tool, args, error, stderr));
    });
  });
}

/** Runs `tool args` with `input` written to its stdin (for probing header + segment concatenations). */
export function runToolWithInput(tool: 'ffprobe', args: readonly string[], input: readonly Buffer[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {}); // ffprobe may stop reading early; its exit status tells
    child.on('error', (error) => reject(toolError(tool, args, error, stderr)));
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(toolError(tool, args, Object.assign(new Error(`exit code ${code}`), { code }), stderr));
    });
    for (const chunk of input) child.stdin.write(chunk);
    child.stdin.end();
  });
}

function toolError(tool: string, args: readonly string[], error: Error & { code?: unknown }, stderr: string): Error {
  if (error.code === 'ENOENT') return new Error(`${tool} not found on PATH: ${INSTALL_HINT}`, { cause: error });
  const tail = stderr.trim().split('\n').slice(-8).join('\n');
  return new Error(`${tool} ${args.join(' ')} failed (${error.message}):\n${tail}`, { cause: error });
}
