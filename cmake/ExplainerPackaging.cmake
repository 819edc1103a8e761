# Install layout and the Debian package (CPack DEB). Included last from the top CMakeLists.txt.
#
#   cmake --install build --prefix /usr/local    # from source
#   cd build && cpack -G DEB                      # explainer_<version>_<arch>.deb (prefix /usr)
#
# Layout (prefix /usr): /usr/bin/explainerd and explainer; /usr/share/explainer/{mappings,content,
# config}; /usr/share/doc/explainer; /etc/explainer/explainerd.properties (conffile; a working
# default, see packaging/explainerd.properties.in); /usr/lib/systemd/system/explainerd.service;
# /etc/logrotate.d/explainer. /var/lib/explainer (state) and /var/log/explainer are created by
# the package's postinst (and by systemd's StateDirectory=/LogsDirectory= for source installs).
# The files whose content or place depends on the prefix are laid out at install time by
# packaging/install-layout.cmake, so one build serves `cmake --install --prefix X` and cpack.
include(GNUInstallDirs)

if(TARGET explainerd AND TARGET explainer)
  install(TARGETS explainerd explainer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/mappings/ DESTINATION ${CMAKE_INSTALL_DATADIR}/explainer/mappings)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/content/ DESTINATION ${CMAKE_INSTALL_DATADIR}/explainer/content)
install(FILES ${PROJECT_SOURCE_DIR}/config/README.md ${PROJECT_SOURCE_DIR}/config/demo.properties
              ${PROJECT_SOURCE_DIR}/config/production.properties
        DESTINATION ${CMAKE_INSTALL_DATADIR}/explainer/config)
file(GLOB explainer_doc_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${explainer_doc_files} DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/explainer)
install(CODE "set(EXPLAINER_PACKAGING_DIR \"${PROJECT_SOURCE_DIR}/packaging\")
set(EXPLAINER_LAYOUT_WORK_DIR \"${PROJECT_BINARY_DIR}/packaging\")")
install(SCRIPT ${PROJECT_SOURCE_DIR}/packaging/install-layout.cmake)

# ---- CPack: Debian package --------------------------------------------------------------------
set(CPACK_PACKAGE_NAME explainer)
set(CPACK_PACKAGE_VENDOR "Explainer project")
set(CPACK_PACKAGE_CONTACT "Explainer maintainers <explainer@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Patient explanations for released imaging reports (HL7 v2 MLLP, FHIR R4)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "Explainer receives released radiology reports (HL7 v2 ORU^R01 over MLLP, FHIR R4\n"
       "DiagnosticReport over HTTP), finds what the impression says and attaches reviewed\n"
       "plain-language explanations before forwarding the report to portals and EHRs.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
# The install scripts see CMAKE_INSTALL_PREFIX=/usr and DESTDIR=<staging>, so the absolute paths
# laid out by install-layout.cmake (/etc/...) land in the package.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies computed by dpkg-shlibdeps from the binaries; the maintainer scripts need
# init-system-helpers (deb-systemd-helper) and passwd (useradd), both in every Debian system.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers, passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sqlite3, python3-hl7")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
