using System.Text;
using System.Text.Json;

namespace Rdmarun.Cli;

/// <summary>
/// runc-compatible logging: with --log, one entry per line in the file, as JSON
/// ({"level","msg","time"}, what containerd parses to show the last error) or logfmt text.
/// Without --log, entries go to stderr.
/// </summary>
public sealed class Logger
{
    private readonly string? _path;
    private readonly bool _json;
    private readonly bool _debug;

    public Logger(string? path, string format, bool debug)
    {
        if (format is not ("text" or "json")) throw new Rdmarun.Engine.RuntimeError($"invalid log format {format}: use text or json");
        _path = string.IsNullOrEmpty(path) ? null : path;
        _json = format == "json";
        _debug = debug;
    }

    public bool HasFile => _path is not null;

    public void Error(string msg) => Write("error", msg);
    public void Warn(string msg) => Write("warning", msg);
    public void Debug(string msg) { if (_debug) Write("debug", msg); }

    private void Write(string level, string msg)
    {
        // UTC with a literal 'Z': Utf8JsonWriter escapes '+' of an offset as \u002B, and the runc
        // shim parses "time" as raw RFC 3339 bytes (Go's Time.UnmarshalJSON does not unescape), so
        // "+00:00" made `docker run` show a time parse error instead of rdmarun's message.
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string line;
        if (_json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("level", level);
                w.WriteString("msg", msg);
                w.WriteString("time", time);
                w.WriteEndObject();
            }
            line = Encoding.UTF8.GetString(ms.ToArray());
        }
        else if (_path is null)
            line = $"{level[..4].ToUpperInvariant()}[0000] {msg}";
        else
            line = $"time=\"{time}\" level={level} msg={Quote(msg)}";

        if (_path is null) { Console.Error.WriteLine(line); return; }
        try { File.AppendAllText(_path, line + "\n"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rdmarun: cannot write log {Rdmarun.OciSpec.IoErrorText.Describe(e, _path)}");
            Console.Error.WriteLine(line);
        }
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s, Rdmarun.Engine.EngineJson.Default.String);
}
