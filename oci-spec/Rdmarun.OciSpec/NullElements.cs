using System.Text;
using System.Text.Json;

namespace Rdmarun.OciSpec;

/// <summary>
/// No runtime-spec array holds null, and no string map (annotations, sysctl, unified) has a null value,
/// but the deserializer accepts both and leaves a null where every consumer expects a string. Found
/// by the fuzz properties; refused here with the JSON path. So is a NUL character in any string:
/// every string ends up as a C string (path, argument, name) where it would silently cut the value.
/// </summary>
static class NullElements
{
    private static readonly HashSet<string> StringMaps = ["annotations", "sysctl", "unified"];

    /// <summary>"$.path: why" for the first null array element, null string-map value or NUL character; null when there is none.</summary>
    public static string? Find(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        // One frame per open container: array index, or the current property name (and whether this object is a string map).
        var stack = new List<(bool IsArray, int Index, string? Property, bool IsMap)>();
        while (reader.Read())
        {
            var t = reader.TokenType;
            if (t == JsonTokenType.PropertyName)
            {
                if (stack.Count > 0) stack[^1] = stack[^1] with { Property = NameOf(ref reader) };
                continue;
            }
            if (t is JsonTokenType.EndObject or JsonTokenType.EndArray) { stack.RemoveAt(stack.Count - 1); continue; }
            // A value or the start of a container: one more element of an enclosing array.
            if (stack.Count > 0 && stack[^1].IsArray) stack[^1] = stack[^1] with { Index = stack[^1].Index + 1 };
            if (t == JsonTokenType.Null && stack.Count > 0 && (stack[^1].IsArray || stack[^1].IsMap)) return PathOf(stack) + ": must not be null";
            if (t == JsonTokenType.String && reader.ValueIsEscaped && NameOf(ref reader).Contains('\0')) return PathOf(stack) + ": contains a NUL character";
            if (t is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                bool map = t == JsonTokenType.StartObject && stack.Count > 0 && !stack[^1].IsArray
                           && stack[^1].Property is { } p && StringMaps.Contains(p);
                stack.Add((t == JsonTokenType.StartArray, -1, null, map));
            }
        }
        return null;
    }

    /// <summary>An unknown key the deserializer skipped may not be valid UTF-8: it is then no name we look for.</summary>
    private static string NameOf(ref Utf8JsonReader reader)
    {
        try { return reader.GetString() ?? ""; }
        catch (InvalidOperationException) { return "?"; }
    }

    private static string PathOf(List<(bool IsArray, int Index, string? Property, bool IsMap)> stack)
    {
        var sb = new StringBuilder("$");
        foreach (var f in stack)
        {
            if (f.IsArray) sb.Append('[').Append(f.Index).Append(']');
            else if (f.Property is { } p) sb.Append(p.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? "." + p : $"['{p}']");
        }
        return sb.ToString();
    }
}
