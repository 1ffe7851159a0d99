#!/bin/sh
# WSL2 detection for install.sh (sourced): a worker inside WSL2 finds NVIDIA's libraries (libcuda,
# libnvidia-encode, from Windows' driver) in /usr/lib/wsl/lib, which is not on the loader's path
# under systemd. PLEXBEAM_PROC_VERSION and PLEXBEAM_WSL_LIB replace /proc/version and
# /usr/lib/wsl/lib (tests).

# plexbeam_is_wsl: true inside WSL (WSL_DISTRO_NAME set, or "microsoft" in /proc/version).
plexbeam_is_wsl() {
  [ -n "${WSL_DISTRO_NAME:-}" ] && return 0
  grep -qi microsoft "${PLEXBEAM_PROC_VERSION:-/proc/version}" 2>/dev/null
}

# plexbeam_wsl_lib_dir: prints WSL's GPU library folder when inside WSL and it exists; nothing otherwise.
plexbeam_wsl_lib_dir() {
  plexbeam_is_wsl || return 0
  lib=${PLEXBEAM_WSL_LIB:-/usr/lib/wsl/lib}
  if [ -d "$lib" ]; then echo "$lib"; fi
}

# plexbeam_wsl_dropin: prints the worker unit's drop-in for WSL (the library folder on
# LD_LIBRARY_PATH; /dev/dxg, WSL's GPU, past the unit's DevicePolicy=closed), or nothing when
# not inside WSL or the folder is missing.
plexbeam_wsl_dropin() {
  lib=$(plexbeam_wsl_lib_dir)
  [ -n "$lib" ] || return 0
  printf '%s\n' '# Written by install.sh: inside WSL2, NVIDIA'"'"'s libraries (NVENC/NVDEC) come from Windows'"'"' driver here.' \
    '[Service]' "Environment=LD_LIBRARY_PATH=$lib" 'DeviceAllow=/dev/dxg rw'
}

# plexbeam_wsl_notes: what install.sh tells a WSL user (nothing outside WSL).
plexbeam_wsl_notes() {
  plexbeam_is_wsl || return 0
  lib=$(plexbeam_wsl_lib_dir)
  if [ -n "$lib" ]; then
    echo "WSL2: $lib added to plexbeam-worker's LD_LIBRARY_PATH, so NVENC/NVDEC can load Windows' NVIDIA driver (needs a current Windows NVIDIA driver; nothing to install inside WSL)"
  else
    echo "WSL2: no ${PLEXBEAM_WSL_LIB:-/usr/lib/wsl/lib} (no GPU passed to WSL): the worker encodes in software unless Windows' GPU driver is installed"
  fi
  echo "WSL2: Intel/AMD VAAPI inside WSL goes through Mesa's d3d12 driver on /dev/dxg (LIBVA_DRIVER_NAME=d3d12, Mesa's VA drivers); the hardware probe below says what it found ('plexbeam probe' for details)"
}
