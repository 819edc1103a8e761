# Runs at install time (cmake --install, cpack): lays out the files whose place or content
# depends on the install prefix. With prefix /usr (the package) the configuration goes to
# /etc/explainer; with any other prefix to <prefix>/etc/explainer. An existing configuration is
# never overwritten (a from-source reinstall writes explainerd.properties.dist beside it).
# file(INSTALL) prefixes absolute destinations with $ENV{DESTDIR} itself (cpack's staging).
# Inputs: CMAKE_INSTALL_PREFIX, $ENV{DESTDIR}, EXPLAINER_PACKAGING_DIR, EXPLAINER_LAYOUT_WORK_DIR.
cmake_minimum_required(VERSION 3.20)

set(prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" prefix "${prefix}")
if(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(etc_dir "/etc")
else()
  set(etc_dir "${prefix}/etc")
endif()
set(EXPLAINER_BINDIR "${prefix}/bin")
set(EXPLAINER_SHAREDIR "${prefix}/share/explainer")
set(EXPLAINER_DOCDIR "${prefix}/share/doc/explainer")
set(EXPLAINER_CONFDIR "${etc_dir}/explainer")
set(destdir "$ENV{DESTDIR}")

set(work "${EXPLAINER_LAYOUT_WORK_DIR}")
file(MAKE_DIRECTORY "${work}")
configure_file("${EXPLAINER_PACKAGING_DIR}/explainerd.properties.in" "${work}/explainerd.properties" @ONLY)
configure_file("${EXPLAINER_PACKAGING_DIR}/explainerd.service.in" "${work}/explainerd.service" @ONLY)

set(conf "${destdir}${EXPLAINER_CONFDIR}/explainerd.properties")
if(EXISTS "${conf}")
  file(COPY_FILE "${work}/explainerd.properties" "${work}/explainerd.properties.dist")
  file(INSTALL "${work}/explainerd.properties.dist" DESTINATION "${EXPLAINER_CONFDIR}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  message(STATUS "Kept ${conf}; the shipped default is explainerd.properties.dist beside it")
else()
  file(INSTALL "${work}/explainerd.properties" DESTINATION "${EXPLAINER_CONFDIR}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
file(INSTALL "${work}/explainerd.service" DESTINATION "${prefix}/lib/systemd/system"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
configure_file("${EXPLAINER_PACKAGING_DIR}/explainer.logrotate" "${work}/logrotate/explainer" COPYONLY)
file(INSTALL "${work}/logrotate/explainer" DESTINATION "${etc_dir}/logrotate.d"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
