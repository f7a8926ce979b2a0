using System.Text;

namespace Rdmarun.Engine.Container;

/// <summary>
/// `list`'s OWNER column, as runc shows it: the user owning the container's state directory
/// (the one who created it: a rootless container shows its user, not root), by name from the
/// host's /etc/passwd, or "#UID" when the uid has no entry there.
/// </summary>
public static class OwnerName
{
    public static unsafe string Of(string dir)
    {
        Tmds.Linux.stat st;
        var path = Encoding.UTF8.GetBytes(dir + "\0");
        fixed (byte* p = path)
            if (Tmds.Linux.LibC.stat(p, &st) != 0) return "";
        return Lookup((uint)st.st_uid, "/etc/passwd");
    }

    public static string Lookup(uint uid, string passwd)
    {
        try
        {
            foreach (var line in File.ReadLines(passwd))
            {
                var f = line.Split(':');
                if (f.Length > 2 && uint.TryParse(f[2], out var u) && u == uid && f[0].Length > 0) return f[0];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"#{uid}";
    }
}
