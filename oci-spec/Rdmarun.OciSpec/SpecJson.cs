using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Rdmarun.OciSpec;

/// <summary>Layout of written JSON.</summary>
public enum JsonLayout
{
    /// <summary>Tab-indented, as <c>runc spec</c> writes config.json.</summary>
    Tabs,
    /// <summary>Two-space indented, as <c>runc state</c> and <c>runc features</c> print.</summary>
    TwoSpaces,
    /// <summary>One line, for files and pipes (state.json, hook stdin).</summary>
    Compact,
}

/// <summary>
/// Reads and writes spec documents. Every Parse method throws <see cref="SpecException"/> (never
/// <see cref="JsonException"/>) with a message naming <c>source</c>, the JSON path and the reason.
/// Unknown members survive a parse/serialize round trip via <see cref="SpecObject.Extra"/>.
/// </summary>
public static class SpecJson
{
    static readonly SpecJsonContext TabsContext = Make(o => { });
    static readonly SpecJsonContext TwoSpacesContext = Make(o => { o.IndentCharacter = ' '; o.IndentSize = 2; });
    static readonly SpecJsonContext CompactContext = Make(o => o.WriteIndented = false);

    // Relaxed escaping keeps '+', '<', non-ASCII readable in written files; output is never embedded in HTML.
    static SpecJsonContext Make(Action<JsonSerializerOptions> tweak)
    {
        var o = new JsonSerializerOptions(SpecJsonContext.Default.Options)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = null,
        };
        tweak(o);
        return new SpecJsonContext(o);
    }

    static SpecJsonContext Ctx(JsonLayout layout) => layout switch
    {
        JsonLayout.TwoSpaces => TwoSpacesContext,
        JsonLayout.Compact => CompactContext,
        _ => TabsContext,
    };

    /// <summary>Parses a config.json. <paramref name="source"/> prefixes error messages.</summary>
    public static Spec ParseSpec(ReadOnlySpan<byte> utf8, string source = "config.json")
        => Parse(utf8, TabsContext.Spec, source);

    /// <summary>Parses a process.json as given to <c>exec --process</c>.</summary>
    public static Process ParseProcess(ReadOnlySpan<byte> utf8, string source = "process.json")
        => Parse(utf8, TabsContext.Process, source);

    /// <summary>Parses a state document (hook stdin, <c>state</c> output).</summary>
    public static State ParseState(ReadOnlySpan<byte> utf8, string source = "state")
        => Parse(utf8, TabsContext.State, source);

    /// <summary>Parses a <c>features</c> document.</summary>
    public static Features ParseFeatures(ReadOnlySpan<byte> utf8, string source = "features")
        => Parse(utf8, TabsContext.Features, source);

    /// <summary>Parses a resources document as given to <c>update --resources</c>.</summary>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> utf8, string source = "resources")
        => Parse(utf8, TabsContext.LinuxResources, source);

    /// <summary>Reads and parses <c>bundleDir/config.json</c>; a missing or unreadable file is a <see cref="SpecException"/> too.</summary>
    public static Spec LoadSpec(string bundleDir)
    {
        string path = System.IO.Path.Combine(bundleDir, "config.json");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecException($"open {IoErrorText.Describe(e, path)}", null, e);
        }
        return ParseSpec(bytes, "config.json");
    }

    public static string Serialize(Spec spec, JsonLayout layout = JsonLayout.Tabs) => JsonSerializer.Serialize(spec, Ctx(layout).Spec);
    public static byte[] SerializeToUtf8(Spec spec, JsonLayout layout = JsonLayout.Tabs) => JsonSerializer.SerializeToUtf8Bytes(spec, Ctx(layout).Spec);
    public static string Serialize(Process process, JsonLayout layout = JsonLayout.Tabs) => JsonSerializer.Serialize(process, Ctx(layout).Process);
    public static byte[] SerializeToUtf8(Process process, JsonLayout layout = JsonLayout.Tabs) => JsonSerializer.SerializeToUtf8Bytes(process, Ctx(layout).Process);
    /// <summary>Two-space layout by default, as <c>runc state</c> prints.</summary>
    public static string Serialize(State state, JsonLayout layout = JsonLayout.TwoSpaces) => JsonSerializer.Serialize(state, Ctx(layout).State);
    /// <summary>Compact by default: hook stdin and state files.</summary>
    public static byte[] SerializeToUtf8(State state, JsonLayout layout = JsonLayout.Compact) => JsonSerializer.SerializeToUtf8Bytes(state, Ctx(layout).State);
    /// <summary>For <c>list --format json</c>.</summary>
    public static string Serialize(List<State> states, JsonLayout layout = JsonLayout.Compact) => JsonSerializer.Serialize(states, Ctx(layout).ListState);
    public static byte[] SerializeToUtf8(ContainerProcessState state, JsonLayout layout = JsonLayout.Compact) => JsonSerializer.SerializeToUtf8Bytes(state, Ctx(layout).ContainerProcessState);
    /// <summary>Two-space layout by default, as <c>runc features</c> prints.</summary>
    public static string Serialize(Features features, JsonLayout layout = JsonLayout.TwoSpaces) => JsonSerializer.Serialize(features, Ctx(layout).Features);
    public static string Serialize(LinuxResources resources, JsonLayout layout = JsonLayout.Compact) => JsonSerializer.Serialize(resources, Ctx(layout).LinuxResources);

    /// <summary>Deep copy through JSON (extension data included).</summary>
    public static Spec Clone(Spec spec) => ParseSpec(SerializeToUtf8(spec, JsonLayout.Compact), "clone");

    static T Parse<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> info, string source)
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(utf8, info);
        }
        catch (JsonException e)
        {
            throw JsonErrorText.ToSpecException(source, utf8, e);
        }
        if (value is null)
            throw new SpecException($"{source}: $: expected an object, got null", "$");
        if (NullElements.Find(utf8) is { } problem)
            throw new SpecException($"{source}: {problem}", problem[..problem.IndexOf(": ", StringComparison.Ordinal)]);
        return value;
    }
}
