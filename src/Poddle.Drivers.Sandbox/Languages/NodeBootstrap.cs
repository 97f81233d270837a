namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>
/// The program a warm JavaScript sandbox starts with (<c>node -e</c>): node is up and waits for its go-line (the same
/// format as <see cref="PythonBootstrap.GoLine"/>), then runs the entry file as the main module through
/// <c>Module.runMain</c>, as <c>node main.js</c> does. Differences from a cold run: only the bottom frames of an
/// uncaught error's stack trace (the bootstrap's instead of node's run_main_module).
/// </summary>
internal static class NodeBootstrap
{
    /// <summary>Reads the go-line byte by byte with readSync on fd 0 (no user stdin is consumed), restores a plain argv.</summary>
    public const string Code = """
        const fs = require('fs');
        fs.writeSync(1, 'R');
        const b = Buffer.alloc(1), l = [];
        for (;;) {
          if (fs.readSync(0, b, 0, 1, null) === 0) process.exit(0);
          if (b[0] === 10) break;
          l.push(b[0]);
        }
        const a = Buffer.from(l).toString('latin1').split(' ').map(w => Buffer.from(w.slice(1), 'hex').toString('utf8'));
        process.argv = [process.argv[0], '/box/' + a[0], ...a.slice(1)];
        process.execArgv = [];
        delete process._eval;
        require('module').runMain();
        """;
}
