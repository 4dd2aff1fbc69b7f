// One bench section in a process of its own (bench/all.ts starts one per section), so no section
// runs in a heap the sections before it filled: prints its rows as the last line, as JSON.
const [file, ...args] = process.argv.slice(2);
const { run } = (await import(new URL(`../${file}`, import.meta.url).href)) as {
  run: (...a: number[]) => Promise<unknown>;
};
const rows = await run(...args.map(Number));
process.stdout.write(`\n${JSON.stringify(rows)}\n`);
process.exit(0);
