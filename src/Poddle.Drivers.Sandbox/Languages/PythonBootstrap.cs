namespace Poddle.Drivers.Sandbox.Languages;

/// <summary>
/// The program a warm Python sandbox starts with (<c>python3 -u -c</c>): the interpreter is up and waits for its
/// go-line, then runs the request's entry file as <c>__main__</c> exactly as <c>python3 -u main.py</c> would.
/// </summary>
internal static class PythonBootstrap
{
    /// <summary>
    /// Writes the ready marker, reads the go-line byte by byte with os.read (nothing of the user's stdin, which follows
    /// it on fd 0, is consumed or buffered), sets sys.argv (words 'x' + hex: the entry file, then the arguments) and
    /// sys.path[0] (the entry file's directory), and executes the entry file in a fresh <c>__main__</c> module. An
    /// uncaught exception is printed by sys.excepthook without the bootstrap's frame and exits 1; a syntax error prints without a traceback; SystemExit
    /// passes through. Only builtins and the modules Python has already imported at start (os, sys) are used.
    /// </summary>
    public const string Code = """
        import os, sys
        os.write(1, b'R')
        _l = b''
        while not _l.endswith(b'\n'):
            _c = os.read(0, 1)
            if not _c:
                os._exit(0)
            _l += _c
        sys.argv = [bytes.fromhex(_w[1:].decode()).decode('utf-8', 'surrogateescape') for _w in _l.split()]
        _f = '/box/' + sys.argv[0]
        sys.path[0] = _f.rpartition('/')[0]
        _m = type(sys)('__main__')
        _m.__file__ = _f
        _m.__cached__ = None
        _m.__builtins__ = __builtins__
        sys.modules['__main__'] = _m
        try:
            with open(_f, 'rb') as _h:
                _s = _h.read()
            _k = compile(_s, _f, 'exec', dont_inherit=True)
        except SyntaxError as _e:
            sys.excepthook(type(_e), _e.with_traceback(None), None)
            sys.exit(1)
        del _l, _c, _s, _h
        try:
            exec(_k, _m.__dict__)
        except SystemExit:
            raise
        except BaseException as _e:
            _t = _e.__traceback__.tb_next
            _e = _e.with_traceback(_t)
            sys.excepthook(type(_e), _e, _t)
            sys.exit(1)
        """;

    /// <summary>The go-line: the entry file and the arguments, each 'x' + the hex of its UTF-8, space-separated, then a newline.</summary>
    public static byte[] GoLine(string entry, IReadOnlyList<string> args) =>
        System.Text.Encoding.ASCII.GetBytes(
            string.Join(' ', new[] { entry }.Concat(args).Select(a => "x" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(a)))) + "\n");
}
