using System.Text.Json;
using System.Text.Json.Nodes;
using Rdmarun.Rdma;

namespace Rdmarun.Engine.Rdma;

/// <summary>
/// The policy file as the runtime reads it: the library's <see cref="RdmaPolicy"/> plus the runtime-only switch
/// <c>"hideUngranted"</c> (default true: in shared netns mode a container that asked for no RDMA sees no RDMA
/// device). The switch is taken out before the library parses the rest, which rejects unknown keys.
/// </summary>
public sealed record RdmaHostPolicy(RdmaPolicy Policy, bool HideUngranted)
{
    public const string HideUngrantedKey = "hideUngranted";

    public static RdmaHostPolicy Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new RdmaHostPolicy(RdmaPolicy.Default(path), true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RdmaPolicyException($"rdma: cannot read policy {path}: {e.Message}");
        }

        bool hide = true;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return new RdmaHostPolicy(RdmaPolicy.Parse(json, path), hide); // the library reports where the JSON is broken
        }
        if (root is JsonObject obj && obj.TryGetPropertyValue(HideUngrantedKey, out var node))
        {
            if (node is null || node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                throw new RdmaPolicyException($"rdma: policy {path}: $.{HideUngrantedKey} must be true or false");
            hide = node.GetValue<bool>();
            obj.Remove(HideUngrantedKey);
            json = obj.ToJsonString();
        }
        return new RdmaHostPolicy(RdmaPolicy.Parse(json, path), hide);
    }
}
