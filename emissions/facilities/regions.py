"""Regions a facility can be in: Chinese provinces (ISO 3166-2:CN) and China's regional power grids.

Codes match the `region` column of the shipped emission-factor table, so factor
selection can walk province -> regional grid -> country -> GLOBAL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    BEIJING = "CN-BJ", _("Beijing 北京")
    TIANJIN = "CN-TJ", _("Tianjin 天津")
    HEBEI = "CN-HE", _("Hebei 河北")
    SHANXI = "CN-SX", _("Shanxi 山西")
    INNER_MONGOLIA = "CN-NM", _("Inner Mongolia 内蒙古")
    LIAONING = "CN-LN", _("Liaoning 辽宁")
    JILIN = "CN-JL", _("Jilin 吉林")
    HEILONGJIANG = "CN-HL", _("Heilongjiang 黑龙江")
    SHANGHAI = "CN-SH", _("Shanghai 上海")
    JIANGSU = "CN-JS", _("Jiangsu 江苏")
    ZHEJIANG = "CN-ZJ", _("Zhejiang 浙江")
    ANHUI = "CN-AH", _("Anhui 安徽")
    FUJIAN = "CN-FJ", _("Fujian 福建")
    JIANGXI = "CN-JX", _("Jiangxi 江西")
    SHANDONG = "CN-SD", _("Shandong 山东")
    HENAN = "CN-HA", _("Henan 河南")
    HUBEI = "CN-HB", _("Hubei 湖北")
    HUNAN = "CN-HN", _("Hunan 湖南")
    GUANGDONG = "CN-GD", _("Guangdong 广东")
    GUANGXI = "CN-GX", _("Guangxi 广西")
    HAINAN = "CN-HI", _("Hainan 海南")
    CHONGQING = "CN-CQ", _("Chongqing 重庆")
    SICHUAN = "CN-SC", _("Sichuan 四川")
    GUIZHOU = "CN-GZ", _("Guizhou 贵州")
    YUNNAN = "CN-YN", _("Yunnan 云南")
    TIBET = "CN-XZ", _("Tibet 西藏")
    SHAANXI = "CN-SN", _("Shaanxi 陕西")
    GANSU = "CN-GS", _("Gansu 甘肃")
    QINGHAI = "CN-QH", _("Qinghai 青海")
    NINGXIA = "CN-NX", _("Ningxia 宁夏")
    XINJIANG = "CN-XJ", _("Xinjiang 新疆")


class GridRegion(models.TextChoices):
    NORTH = "CN-North", _("North China grid 华北")
    NORTHEAST = "CN-Northeast", _("Northeast China grid 东北")
    EAST = "CN-East", _("East China grid 华东")
    CENTRAL = "CN-Central", _("Central China grid 华中")
    NORTHWEST = "CN-Northwest", _("Northwest China grid 西北")
    SOUTH = "CN-South", _("China Southern grid 南方")
    SOUTHWEST = "CN-Southwest", _("Southwest China grid 西南")
