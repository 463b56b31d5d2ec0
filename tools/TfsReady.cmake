# Sets the GLOBAL property PETREL_TFS_READY when the sources of petrel_tfs define every TFS
# function the tools and the heavy TFS tests call. While fs/tfs is being written, those targets
# are skipped (with a message) instead of breaking everyone's link.
set(_tfs_needed tfs_format tfs_mount tfs_unmount tfs_fsck tfs_create tfs_symlink tfs_link
    tfs_unlink tfs_rmdir tfs_rename tfs_readdir tfs_lookup tfs_getattr tfs_setattr tfs_read
    tfs_write tfs_truncate tfs_fallocate tfs_setxattr tfs_getxattr tfs_listxattr
    tfs_removexattr tfs_sync tfs_fsync tfs_fdatasync tfs_statfs tfs_readlink)
set(_tfs_ready OFF)
if(TARGET petrel_tfs)
    get_target_property(_tfs_srcs petrel_tfs SOURCES)
    set(_tfs_defs "")
    foreach(_s ${_tfs_srcs})
        if(NOT IS_ABSOLUTE ${_s})
            set(_s ${PETREL_ROOT}/fs/tfs/${_s})
        endif()
        if(EXISTS ${_s})
            set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_s})
            file(STRINGS ${_s} _lines REGEX "^[a-z][a-z0-9_ ]*[ *]tfs_[a-z0-9_]+\\([^;]*$")
            list(APPEND _tfs_defs ${_lines})
        endif()
    endforeach()
    set(_tfs_ready ON)
    foreach(_fn ${_tfs_needed})
        string(REGEX MATCH "[ *]${_fn}\\(" _hit "${_tfs_defs}")
        if(NOT _hit)
            set(_tfs_ready OFF)
            set(_tfs_missing "${_tfs_missing} ${_fn}")
        endif()
    endforeach()
endif()
if(NOT _tfs_ready)
    message(STATUS "TFS tools/tests skipped: petrel_tfs does not define yet:${_tfs_missing}")
endif()
set_property(GLOBAL PROPERTY PETREL_TFS_READY ${_tfs_ready})
