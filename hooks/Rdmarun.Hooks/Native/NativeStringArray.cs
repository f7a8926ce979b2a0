using System.Runtime.InteropServices;
using System.Text;

namespace Rdmarun.Hooks.Native;

/// <summary>A NULL-terminated char*[] of UTF-8 strings in one native block, as execve wants argv and envp.</summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private byte* _block;

    public byte** Pointer => (byte**)_block;

    public NativeStringArray(IReadOnlyList<string> items)
    {
        nuint pointers = (nuint)(items.Count + 1) * (nuint)sizeof(byte*);
        nuint size = pointers;
        foreach (string s in items)
        {
            if (s.Contains('\0'))
                throw new ArgumentException($"string contains a NUL byte: {s.Replace("\0", "\\0")}");
            size += (nuint)Encoding.UTF8.GetByteCount(s) + 1;
        }

        _block = (byte*)NativeMemory.AllocZeroed(size);
        byte** table = (byte**)_block;
        byte* next = _block + pointers;
        for (int i = 0; i < items.Count; i++)
        {
            table[i] = next;
            int n = Encoding.UTF8.GetBytes(items[i], new Span<byte>(next, (int)(size - (nuint)(next - _block))));
            next += n + 1; // the zeroed block already holds the terminator
        }
        table[items.Count] = null;
    }

    public void Dispose()
    {
        NativeMemory.Free(_block);
        _block = null;
    }
}
