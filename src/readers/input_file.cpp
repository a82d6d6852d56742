#include "readers/input_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fitcheck/error.hpp"

namespace fitcheck::readers {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }

 private:
  int m_fd;
};

std::string size_text(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

std::string read_input_file(const std::string& path, std::uint64_t limit, const char* what) {
  const auto fail = [&](const std::string& why) { throw Error::in_file(path, 0, why); };
  if (path.empty()) fail("an empty path (expected " + std::string(what) + ")");
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR) fail("no such file (check the path)");
    fail(std::string("cannot open it: ") + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(std::string("cannot read it: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail("is a directory (expected " + std::string(what) + ")");
  if (!S_ISREG(st.st_mode)) fail("is not a regular file (a pipe, device or socket; expected " + std::string(what) + ")");
  if (static_cast<std::uint64_t>(st.st_size) > limit) {
    fail("larger than " + size_text(limit) + " (expected " + std::string(what) + ")");
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(std::string("cannot read it: ") + std::strerror(errno));
    if (n == 0) break;  // the file shrank while it was read
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

}  // namespace fitcheck::readers
