namespace Rdmarun.Engine.Init;

/// <summary>
/// Resolves a path inside a root directory the way the kernel would if root were "/": symlinks
/// (absolute or relative) and ".." can never leave root. A symlink in an image must not make a
/// mount land on the host (CVE-2021-30465 class). Lexical walk with lstat, as securejoin does.
/// </summary>
public static class SecurePath
{
    private const int MaxLinks = 255;

    public static string Join(string root, string unsafePath)
    {
        root = Path.GetFullPath(root).TrimEnd('/');
        var pending = new Stack<string>();
        PushComponents(pending, unsafePath);
        var resolved = new List<string>();
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = root + "/" + string.Join('/', resolved.Append(part));
            // readlink: null when the entry is missing or not a symlink.
            var target = new FileInfo(candidate).LinkTarget;
            if (target is not null)
            {
                if (++links > MaxLinks) throw new RuntimeError($"resolve {unsafePath} in {root}: too many levels of symbolic links");
                if (target.StartsWith('/')) resolved.Clear();
                PushComponents(pending, target);
                continue;
            }
            resolved.Add(part);
        }
        return resolved.Count == 0 ? root : root + "/" + string.Join('/', resolved);
    }

    private static void PushComponents(Stack<string> stack, string path)
    {
        var parts = path.Split('/');
        for (int i = parts.Length - 1; i >= 0; i--) stack.Push(parts[i]);
    }
}
