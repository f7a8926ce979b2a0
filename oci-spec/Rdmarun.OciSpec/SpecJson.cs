using System.Buffers;
using System.Text;
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
    // One context for every layout: each context configures its own metadata for the whole Spec
    // type graph on first use (reflection over attributes in the AOT build, ~5 ms of start-up per
    // context), and `create` used to parse with one and write with another. The layout is a
    // property of the writer instead (Write below).
    static readonly SpecJsonContext Context = new(new JsonSerializerOptions(SpecJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = null,
    });

    // Relaxed escaping keeps '+', '<', non-ASCII readable in written files; output is never embedded in HTML.
    static JsonWriterOptions WriterOptions(JsonLayout layout) => new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = layout != JsonLayout.Compact,
        IndentCharacter = layout == JsonLayout.TwoSpaces ? ' ' : '\t',
        IndentSize = layout == JsonLayout.TwoSpaces ? 2 : 1,
    };

    static byte[] Write<T>(T value, JsonTypeInfo<T> info, JsonLayout layout)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions(layout)))
            JsonSerializer.Serialize(w, value, info);
        return buffer.WrittenSpan.ToArray();
    }

    static string WriteString<T>(T value, JsonTypeInfo<T> info, JsonLayout layout) => Encoding.UTF8.GetString(Write(value, info, layout));

    /// <summary>Parses a config.json. <paramref name="source"/> prefixes error messages.</summary>
    public static Spec ParseSpec(ReadOnlySpan<byte> utf8, string source = "config.json")
        => Parse(utf8, Context.Spec, source);

    /// <summary>Parses a process.json as given to <c>exec --process</c>.</summary>
    public static Process ParseProcess(ReadOnlySpan<byte> utf8, string source = "process.json")
        => Parse(utf8, Context.Process, source);

    /// <summary>Parses a state document (hook stdin, <c>state</c> output).</summary>
    public static State ParseState(ReadOnlySpan<byte> utf8, string source = "state")
        => Parse(utf8, Context.State, source);

    /// <summary>Parses a <c>features</c> document.</summary>
    public static Features ParseFeatures(ReadOnlySpan<byte> utf8, string source = "features")
        => Parse(utf8, Context.Features, source);

    /// <summary>Parses a resources document as given to <c>update --resources</c>.</summary>
    public static LinuxResources ParseResources(ReadOnlySpan<byte> utf8, string source = "resources")
        => Parse(utf8, Context.LinuxResources, source);

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

    public static string Serialize(Spec spec, JsonLayout layout = JsonLayout.Tabs) => WriteString(spec, Context.Spec, layout);
    public static byte[] SerializeToUtf8(Spec spec, JsonLayout layout = JsonLayout.Tabs) => Write(spec, Context.Spec, layout);
    public static string Serialize(Process process, JsonLayout layout = JsonLayout.Tabs) => WriteString(process, Context.Process, layout);
    public static byte[] SerializeToUtf8(Process process, JsonLayout layout = JsonLayout.Tabs) => Write(process, Context.Process, layout);
    /// <summary>Two-space layout by default, as <c>runc state</c> prints.</summary>
    public static string Serialize(State state, JsonLayout layout = JsonLayout.TwoSpaces) => WriteString(state, Context.State, layout);
    /// <summary>Compact by default: hook stdin and state files.</summary>
    public static byte[] SerializeToUtf8(State state, JsonLayout layout = JsonLayout.Compact) => Write(state, Context.State, layout);
    /// <summary>For <c>list --format json</c>.</summary>
    public static string Serialize(List<State> states, JsonLayout layout = JsonLayout.Compact) => WriteString(states, Context.ListState, layout);
    public static byte[] SerializeToUtf8(ContainerProcessState state, JsonLayout layout = JsonLayout.Compact) => Write(state, Context.ContainerProcessState, layout);
    /// <summary>Two-space layout by default, as <c>runc features</c> prints.</summary>
    public static string Serialize(Features features, JsonLayout layout = JsonLayout.TwoSpaces) => WriteString(features, Context.Features, layout);
    public static string Serialize(LinuxResources resources, JsonLayout layout = JsonLayout.Compact) => WriteString(resources, Context.LinuxResources, layout);

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
