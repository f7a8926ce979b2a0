using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rdmarun.OciSpec;

/// <summary>
/// Turns System.Text.Json's exceptions into messages a user can act on:
/// <c>config.json: $.process.user.uid: expected a number (uint32), got "abc"</c>.
/// STJ only says which .NET type failed; the offending value is looked up again by path.
/// </summary>
static partial class JsonErrorText
{
    // The second form is what NativeAOT with UseSystemResourceKeys says instead of the sentence.
    [GeneratedRegex(@"(could not be converted to |DeserializeUnableToConvertValue, )(?<type>[\w.`\[\]]+)")]
    private static partial Regex ConvertedTo();

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex PositionSuffix();

    public static SpecException ToSpecException(string source, ReadOnlySpan<byte> utf8, JsonException e)
    {
        string path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
        string line = e.LineNumber is long l ? $"line {l + 1} column {e.BytePositionInLine + 1}" : "";

        // Syntax errors come from the reader: the path is where it got to, the position is what helps.
        if (e.InnerException?.GetType().Name == "JsonReaderException" || !IsWellFormed(utf8))
        {
            string reason = Clean(e.InnerException?.Message ?? e.Message);
            return new SpecException($"{source}: invalid json at {line}: {reason}", path, e);
        }

        string got = Describe(ValueAt(utf8, path));
        var m = ConvertedTo().Match(e.Message);
        if (m.Success)
            return new SpecException($"{source}: {path}: expected {Expected(m.Groups["type"].Value)}, got {got}", path, e);
        if (e.Message.Contains("null", StringComparison.OrdinalIgnoreCase) && got == "null")
            return new SpecException($"{source}: {path}: must not be null", path, e);
        return new SpecException($"{source}: {path}: {Clean(e.Message)}", path, e);
    }

    static string Clean(string message)
    {
        if (ConvertedTo().Match(message) is { Success: true } c) return $"expected {Expected(c.Groups["type"].Value)}";
        if (NullNotAllowed().Match(message) is { Success: true } n) return $"{n.Groups["name"].Value}: must not be null";
        if (ResourceKey().Match(PositionSuffix().Replace(message, "").Trim()) is { Success: true } k)
            return FromResourceKey(k.Groups["key"].Value, k.Groups["arg"].Value);
        if (message.StartsWith("Expected depth to be zero", StringComparison.Ordinal))
            return "unexpected end of data: an object or array is not closed";
        if (message.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
            return "the document is empty";
        string s = PositionSuffix().Replace(message, "").Trim();
        // STJ appends advice ("Change the reader options.") that means nothing to a user: keep the first sentence.
        int stop = s.IndexOf(". ", StringComparison.Ordinal);
        if (stop > 0) s = s[..stop];
        if (s.EndsWith('.')) s = s[..^1];
        return s.Length > 0 ? char.ToLowerInvariant(s[0]) + s[1..] : s;
    }

    [GeneratedRegex(@"property or field '(?<name>[^']+)' on type '[^']+' doesn't allow setting null values")]
    private static partial Regex NullNotAllowed();

    // "ExpectedStartOfPropertyNotFound, n": a reader message in the AOT binary (UseSystemResourceKeys).
    [GeneratedRegex(@"^(?<key>[A-Z][A-Za-z]+)(,\s*(?<arg>.*))?$")]
    private static partial Regex ResourceKey();

    static string FromResourceKey(string key, string arg)
    {
        string found = arg.Length > 0 ? $", found '{arg.Split(',')[0].Trim()}'" : "";
        return key switch
        {
            "ExpectedStartOfPropertyNotFound" or "ExpectedStartOfPropertyOrValueNotFound" => "expected a property name in double quotes" + found,
            "ExpectedSeparatorAfterPropertyNameNotFound" => "expected ':' after a property name" + found,
            "ExpectedStartOfValueNotFound" or "ExpectedValueAfterPropertyNameNotFound" => "expected a value" + found,
            "ExpectedEndAfterSingleJson" => "unexpected data after the end of the document" + found,
            "ExpectedEndOfDigitNotFound" or "ExpectedNextDigitEValueNotFound" or "RequiredDigitNotFoundAfterSign"
                or "RequiredDigitNotFoundAfterDecimal" or "RequiredDigitNotFoundEndOfData" => "invalid number" + found,
            "ExpectedFalse" or "ExpectedTrue" or "ExpectedNull" => $"invalid literal, expected {key[8..].ToLowerInvariant()}" + found,
            "DeserializeUnableToConvertValue" => $"expected {Expected(arg)}",
            "EndOfStringNotFound" => "a string is not closed",
            "InvalidCharacterWithinString" or "InvalidCharacterAfterEscapeWithinString" => "invalid character in a string" + found,
            "TrailingCommaNotAllowedBeforeObjectEnd" or "TrailingCommaNotAllowedBeforeArrayEnd" => "trailing comma",
            "MismatchedObjectArray" => "a closing bracket does not match its opening one" + found,
            "ObjectDepthTooLarge" or "ArrayDepthTooLarge" => "nested too deeply",
            "EndOfCommentNotFound" or "CommentsNotAllowed" or "ConsumeCommentsNotAllowed" => "comments are not allowed in json",
            "ExpectedJsonTokens" => "the document is empty",
            "ZeroDepthAtEnd" or "InvalidEndOfJsonNonPrimitive" or "ExpectedDepthToBeZero" or "UnexpectedEndOfDataWhileReadingComment"
                => "unexpected end of data: an object or array is not closed",
            _ => Words(key) + (arg.Length > 0 ? $" ({arg})" : ""),
        };
    }

    /// <summary>"SomeResourceKey" → "some resource key": better than the bare key for anything not mapped above.</summary>
    static string Words(string key)
    {
        var sb = new StringBuilder();
        foreach (char c in key)
        {
            if (char.IsUpper(c) && sb.Length > 0) sb.Append(' ');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    static string Expected(string dotnetType)
    {
        string t = dotnetType.TrimEnd('.');
        if (t.StartsWith("System.Nullable`1[", StringComparison.Ordinal))
            t = t["System.Nullable`1[".Length..].TrimEnd(']');
        return t switch
        {
            "System.Byte" => "a number (uint8)",
            "System.UInt16" => "a number (uint16)",
            "System.UInt32" => "a number (uint32)",
            "System.UInt64" => "a number (uint64)",
            "System.Int16" => "a number (int16)",
            "System.Int32" => "a number (int32)",
            "System.Int64" => "a number (int64)",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            _ when t.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "an array",
            _ when t.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "an object",
            _ when t.StartsWith("Rdmarun.OciSpec.", StringComparison.Ordinal) => "an object",
            _ => t,
        };
    }

    static bool IsWellFormed(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>The element at an STJ path like <c>$.mounts[2].options</c> or <c>$['a.b']</c>, or null if not found.</summary>
    internal static JsonElement? ValueAt(ReadOnlySpan<byte> utf8, string path)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException) { return null; }
        using (doc)
        {
            JsonElement cur = doc.RootElement;
            int i = path.StartsWith('$') ? 1 : 0;
            while (i < path.Length)
            {
                if (path[i] == '.')
                {
                    int end = i + 1;
                    while (end < path.Length && path[end] != '.' && path[end] != '[') end++;
                    if (!TryMember(cur, path[(i + 1)..end], out cur)) return null;
                    i = end;
                }
                else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
                {
                    int end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                    if (end < 0) return null;
                    if (!TryMember(cur, path[(i + 2)..end], out cur)) return null;
                    i = end + 2;
                }
                else if (path[i] == '[')
                {
                    int end = path.IndexOf(']', i);
                    if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out int idx)) return null;
                    if (cur.ValueKind != JsonValueKind.Array || idx >= cur.GetArrayLength()) return null;
                    cur = cur[idx];
                    i = end + 1;
                }
                else return null;
            }
            return cur.Clone();
        }
    }

    // Member names match case-insensitively, like the deserializer; an exact match wins.
    static bool TryMember(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object) return false;
        if (obj.TryGetProperty(name, out value)) return true;
        foreach (var p in obj.EnumerateObject())
            if (string.Equals(SafeName(p), name, StringComparison.OrdinalIgnoreCase)) { value = p.Value; return true; }
        return false;
    }

    static string SafeName(JsonProperty p)
    {
        try { return p.Name; }
        catch (InvalidOperationException) { return ""; } // a name that is not valid UTF-8
    }

    static string Describe(JsonElement? e)
    {
        if (e is not JsonElement v) return "an unreadable value";
        string raw;
        try
        {
            raw = v.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "an array",
                _ => v.GetRawText(),
            };
        }
        catch (InvalidOperationException) { return "text that is not valid UTF-8"; } // found by the fuzz properties
        if (raw.Length > 60) raw = raw[..57] + "...";
        return raw;
    }
}
